"""What editors translate (django-modeltranslation): one column per language beside each English field.

The item titles, the items' editorial wording (unit, baseline and target notes, where the thresholds come from,
the editorial note) and the theme, addressee and instrument names. Not translated, on purpose:
- the quotations (``Citation.text``): the source's own words, shown in its original English (``lang="en"``);
- codes and slugs (``Recommendation.code``, ``Instrument.short_name``, ``Theme.slug``): filters, URLs,
  exports and imports name things by them, in every language.

The history models (django-simple-history) get the same columns, so each change of a translation is kept
in the history like any other edit (and the history rows accept the translated fields the models now have).

English (``<field>_en``) is required and is what exports, the API and the open data give, whatever the
language of the request (``languages.names.english``); the other languages fall back to it.
"""

from modeltranslation.translator import TranslationOptions, register

from recommendations.models import Addressee, Instrument, Recommendation, Theme


class EnglishRequired(TranslationOptions):
    required_languages = ("en",)
    # A language nobody has translated yet is NULL, not "": names are unique, and two themes without a French
    # name must not collide on name_fr = "".
    empty_values = None


class ItemTranslation(EnglishRequired):
    """The title, and the editors' own wording about a quantitative target (the unit, the notes on the baseline
    and the target, where the thresholds come from) and the editorial note: written by the tracker's editors,
    not quoted from the source, so translated like the title. Only the title is required (in English)."""

    fields = ("title", "unit", "baseline_note", "target_note", "thresholds_source", "editorial_note")
    required_languages = {"en": ("title",), "default": ()}


class NameTranslation(EnglishRequired):
    fields = ("name",)


for model, options in [
    (Recommendation, ItemTranslation),
    (Theme, NameTranslation),
    (Addressee, NameTranslation),
    (Instrument, NameTranslation),
]:
    register([model, model.history.model])(options)
