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
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from recommendations.models import Actor, Addressee, OrganizationType, SDGTarget, Theme

from . import services


class ThemeForm(forms.Form):
    link = forms.ModelChoiceField(queryset=Theme.objects.order_by("name"), label=_("Theme"))


class AddresseeForm(forms.Form):
    link = forms.ModelChoiceField(queryset=Addressee.objects.order_by("name"), label=_("Addressee"))


class SDGTargetForm(forms.Form):
    link = forms.ModelChoiceField(queryset=SDGTarget.objects.order_by("code"), label=_("SDG target"))


class OrganizationTypeForm(forms.Form):
    organization_type = forms.ChoiceField(choices=OrganizationType.choices, label=_("Organization type"))


class BaseCountryForm(forms.Form):
    country = forms.ModelChoiceField(
        queryset=Actor.objects.countries().order_by("name"),
        required=False,
        label=_("Based in"),
        empty_label=_("(no country)"),
    )


class ReportingCycleForm(forms.Form):
    months = forms.IntegerField(
        min_value=1,
        max_value=120,
        required=False,
        label=_("Reporting cycle, in months"),
        help_text=_("e.g. 12: a new assessment every year. Leave empty to remove the organizations' own cycle."),
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
            gettext(
                "%(verb)s: %(changed)s of %(total)s changed (%(same)s already so), with their history and audit trail."
            )
            % {"verb": verb, "changed": changed, "total": total, "same": total - changed},
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


def _link_action(name, form_class, *, add: bool, title, verb, description):
    service = services.add_item_link if add else services.remove_item_link
    return _bulk_action(
        name,
        title,
        form_class,
        lambda objects, data, user: service(items=objects, link=data["link"], user=user),
        verb,
        description,
    )


# Whole sentences per action (never "Add" + noun + "to"): each language words them its own way.
add_theme = _link_action(
    "add_theme",
    ThemeForm,
    add=True,
    title=_("Add theme to the selected items"),
    verb=_("Theme added"),
    description=_("Add a theme to the selected items…"),
)
remove_theme = _link_action(
    "remove_theme",
    ThemeForm,
    add=False,
    title=_("Remove theme from the selected items"),
    verb=_("Theme removed"),
    description=_("Remove a theme from the selected items…"),
)
add_addressee = _link_action(
    "add_addressee",
    AddresseeForm,
    add=True,
    title=_("Add addressee to the selected items"),
    verb=_("Addressee added"),
    description=_("Add an addressee to the selected items…"),
)
remove_addressee = _link_action(
    "remove_addressee",
    AddresseeForm,
    add=False,
    title=_("Remove addressee from the selected items"),
    verb=_("Addressee removed"),
    description=_("Remove an addressee from the selected items…"),
)
add_sdg_target = _link_action(
    "add_sdg_target",
    SDGTargetForm,
    add=True,
    title=_("Add SDG target to the selected items"),
    verb=_("SDG target added"),
    description=_("Add an SDG target to the selected items…"),
)
remove_sdg_target = _link_action(
    "remove_sdg_target",
    SDGTargetForm,
    add=False,
    title=_("Remove SDG target from the selected items"),
    verb=_("SDG target removed"),
    description=_("Remove an SDG target from the selected items…"),
)
ITEM_ACTIONS = [add_theme, remove_theme, add_addressee, remove_addressee, add_sdg_target, remove_sdg_target]


def _organization_action(name: str, title, form_class, field: str, verb, description):
    """A confirmation page, then the service of the same name (``services.<name>``) with the form's ``field``."""
    return _bulk_action(
        name,
        title,
        form_class,
        lambda objects, data, user: getattr(services, name)(organizations=objects, **{field: data[field]}, user=user),
        verb,
        description,
    )


set_organization_type = _organization_action(
    "set_organization_type",
    _("Set the type of the selected organizations"),
    OrganizationTypeForm,
    "organization_type",
    _("Type set"),
    _("Set the type of the selected organizations…"),
)
set_base_country = _organization_action(
    "set_base_country",
    _("Set the based-in country of the selected organizations"),
    BaseCountryForm,
    "country",
    _("Based-in country set"),
    _("Set the based-in country of the selected organizations…"),
)
set_reporting_cycle = _organization_action(
    "set_reporting_cycle",
    _("Set the reporting cycle of the selected organizations"),
    ReportingCycleForm,
    "months",
    _("Reporting cycle set"),
    _("Set the reporting cycle of the selected organizations…"),
)


ORGANIZATION_ACTIONS = [set_organization_type, set_base_country, set_reporting_cycle]
