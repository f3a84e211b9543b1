from django import forms
from django.utils.translation import gettext_lazy as _

from languages.collation import sorted_actors
from languages.names import actor_name
from recommendations.models import Actor


class _CountriesByLocalName(forms.models.ModelChoiceIterator):
    """The countries in the reader's alphabetical order of their names in the reader's language, read when the
    form is drawn (the language is the request's, not the one active when this module was imported)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for country in sorted_actors(self.queryset):
            yield self.choice(country)


class CountryField(forms.ModelChoiceField):
    """A country by its code, shown by its name in the page's language (``names.actor_name``)."""

    iterator = _CountriesByLocalName

    def label_from_instance(self, obj):
        return actor_name(obj)


class TakePartForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Your name"))
    email = forms.EmailField(
        max_length=254, label=_("Your email"), help_text=_("We write to you here, and only about this.")
    )
    organization_name = forms.CharField(max_length=200, label=_("Your organization"))
    country = CountryField(
        queryset=Actor.objects.countries().real(),
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
