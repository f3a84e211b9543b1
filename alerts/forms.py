from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Frequency


class PreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Email me"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        help_text=_("Digests skip empty days."),
    )
    follow_own_reports = forms.BooleanField(
        label=_("Also follow every country and item my organizations have filed updates on"), required=False
    )
    # Not required: a form posted without it keeps the language of the page it was saved from.
    language = forms.ChoiceField(label=_("Language of emails"), choices=settings.LANGUAGES, required=False)


class FollowForm(forms.Form):
    """Which thing to follow: its kind and natural key (item code, actor code, theme slug)."""

    kind = forms.ChoiceField(choices=[("item", "item"), ("actor", "actor"), ("theme", "theme")])
    key = forms.CharField(max_length=100)
    action = forms.ChoiceField(choices=[("follow", "follow"), ("unfollow", "unfollow")])
