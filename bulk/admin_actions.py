"""The editors' bulk actions, as admin actions: each asks on an intermediate page, then calls its service.

Items: add or remove a theme, an addressee or an SDG target. Organizations:
set the type, the based-in country or the reporting cycle. The page lists
the selected objects and asks for the value; "Apply" writes (services in
``bulk.services``: history and audit trail), "Cancel" goes back.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render

from recommendations.models import Actor, Addressee, OrganizationType, SDGTarget, Theme

from . import services


class ThemeForm(forms.Form):
    link = forms.ModelChoiceField(queryset=Theme.objects.order_by("name"), label="Theme")


class AddresseeForm(forms.Form):
    link = forms.ModelChoiceField(queryset=Addressee.objects.order_by("name"), label="Addressee")


class SDGTargetForm(forms.Form):
    link = forms.ModelChoiceField(queryset=SDGTarget.objects.order_by("code"), label="SDG target")


class OrganizationTypeForm(forms.Form):
    organization_type = forms.ChoiceField(choices=OrganizationType.choices, label="Organization type")


class BaseCountryForm(forms.Form):
    country = forms.ModelChoiceField(
        queryset=Actor.objects.countries().order_by("name"),
        required=False,
        label="Based in",
        empty_label="(no country)",
    )


class ReportingCycleForm(forms.Form):
    months = forms.IntegerField(
        min_value=1,
        max_value=120,
        required=False,
        label="Reporting cycle, in months",
        help_text="e.g. 12: a new assessment every year. Leave empty to remove the organizations' own cycle.",
    )


def _ask_then_apply(modeladmin, request, queryset, *, action, title, form_class, apply, verb):
    """The intermediate page of one action: the selection and the value; on "apply", the service call."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        try:
            changed = apply(list(queryset), form.cleaned_data, request.user)
        except PermissionDenied as denied:
            modeladmin.message_user(request, str(denied), messages.ERROR)
            return None
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        total = queryset.count()
        modeladmin.message_user(
            request,
            f"{verb}: {changed} of {total} changed ({total - changed} already so), with their history and audit trail.",
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": queryset,
        "form": form,
        "action": action,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    return render(request, "admin/bulk/confirm.html", context)


def _bulk_action(name: str, title: str, form_class, apply, verb: str, description: str):
    """An admin action named ``name``: the confirmation page (``title``, the form), then ``apply``."""

    def action(modeladmin, request, queryset):
        return _ask_then_apply(
            modeladmin, request, queryset, action=name, title=title, form_class=form_class, apply=apply, verb=verb
        )

    action.__name__ = name
    return admin.action(description=description, permissions=["change"])(action)


def _link_action(name, form_class, noun, *, add: bool):
    service = services.add_item_link if add else services.remove_item_link
    to = "to" if add else "from"
    return _bulk_action(
        name,
        f"{'Add' if add else 'Remove'} {noun} {to} the selected items",
        form_class,
        lambda objects, data, user: service(items=objects, link=data["link"], user=user),
        f"{noun.capitalize()} {'added' if add else 'removed'}",
        f"{'Add' if add else 'Remove'} a {noun} {to} the selected items…",
    )


add_theme = _link_action("add_theme", ThemeForm, "theme", add=True)
remove_theme = _link_action("remove_theme", ThemeForm, "theme", add=False)
add_addressee = _link_action("add_addressee", AddresseeForm, "addressee", add=True)
remove_addressee = _link_action("remove_addressee", AddresseeForm, "addressee", add=False)
add_sdg_target = _link_action("add_sdg_target", SDGTargetForm, "SDG target", add=True)
remove_sdg_target = _link_action("remove_sdg_target", SDGTargetForm, "SDG target", add=False)
ITEM_ACTIONS = [add_theme, remove_theme, add_addressee, remove_addressee, add_sdg_target, remove_sdg_target]


def _organization_action(name: str, what: str, form_class, field: str, verb: str):
    """ "Set the <what> of the selected organizations…": a confirmation page, then the service of the same
    name (``services.<name>``) with the form's ``field``."""
    title = f"Set the {what} of the selected organizations"
    return _bulk_action(
        name,
        title,
        form_class,
        lambda objects, data, user: getattr(services, name)(organizations=objects, **{field: data[field]}, user=user),
        verb,
        f"{title}…",
    )


set_organization_type = _organization_action(
    "set_organization_type", "type", OrganizationTypeForm, "organization_type", "Type set"
)
set_base_country = _organization_action(
    "set_base_country", "based-in country", BaseCountryForm, "country", "Based-in country set"
)
set_reporting_cycle = _organization_action(
    "set_reporting_cycle", "reporting cycle", ReportingCycleForm, "months", "Reporting cycle set"
)


ORGANIZATION_ACTIONS = [set_organization_type, set_base_country, set_reporting_cycle]
