"""What editors translate (django-modeltranslation): one column per language beside each English field.

The item titles and the theme, addressee and instrument names. Not translated, on purpose:
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


class TitleTranslation(EnglishRequired):
    fields = ("title",)


class NameTranslation(EnglishRequired):
    fields = ("name",)


for model, options in [
    (Recommendation, TitleTranslation),
    (Theme, NameTranslation),
    (Addressee, NameTranslation),
    (Instrument, NameTranslation),
]:
    register([model, model.history.model])(options)
