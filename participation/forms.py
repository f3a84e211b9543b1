from django import forms
from django.utils.translation import gettext_lazy as _

from recommendations.models import Actor


class TakePartForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Your name"))
    email = forms.EmailField(
        max_length=254, label=_("Your email"), help_text=_("We write to you here, and only about this.")
    )
    organization_name = forms.CharField(max_length=200, label=_("Your organization"))
    country = forms.ModelChoiceField(
        queryset=Actor.objects.countries().real().order_by("name"),
        label=_("Country where you work"),
        empty_label=_("Choose a country"),
        to_field_name="code",
    )
    reporting_on = forms.CharField(
        max_length=2000,
        label=_("What would you report on?"),
        help_text=_("Which items, or which countries, you follow. A few words are enough."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # Not for people: hidden from sight and from screen readers; a robot that fills every box fills it.
    website = forms.CharField(required=False, label=_("Leave this box empty"))
    started = forms.CharField(widget=forms.HiddenInput)
