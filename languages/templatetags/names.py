"""Showing translated titles and names (languages/names.py) in templates, the one way every page does it.

{% load names %}
{% shown item "title" %}             the title in the page's language; else the English one, marked
                                     lang="en", with a visible "English — not yet translated" badge
{% shown row.item "title" 48 %}      the same, cut to 48 characters
{% shown item "title" as t %}        the same into a variable, for a {% blocktranslate with title=t %} sentence
                                     (a blocktranslate cannot call a tag; the mark stays markup, the text escaped)
{{ item|shown_text:"title" }}        plain text (attributes, <title>): no mark
<option{{ item|lang_attr:"title" }}>  ' lang="en"' where that plain text is the English one (an <option>, an
                                     element whose title attribute it is: where no <span lang> can go)
{{ actor|actor_name }}               a country's name in the page's language
{{ actor.subregion|region_name }}    a UN M49 region's name in the page's language
{{ section.title|in_english }}       text stored only in English (the source's headings, the SDG targets'
                                     official text): marked lang="en", so it is read and spelled as English
{% official_links document %}        the source document in each UN language
{{ description|clauses }}            a list's parts joined by the language's semicolon (languages.sentences:
                                     "a ; b" in French, "a؛ b" in Arabic, "a；b" in Chinese), never |join:"; "
{% clause_separator %}               that semicolon alone, between parts a loop writes ({% if not forloop.last %})
{% full_stop %}{% sentence_separator %}   "." and " " ("。" and nothing in Chinese), after a sentence ending in markup
{{ day|long_date }}                   a date in words, "1er janvier 2018" (languages.dates), never |date:"DATE_FORMAT"
{{ moment|long_date_and_time }}      the same with the time of day (local time), never |date:"DATETIME_FORMAT"
{% label_separator %}                ": " after a label written in markup ("\u00a0: " in French, "：" in Chinese)
{% translate "Source:" %}{% label_space %}   the space after a translated label's own colon (none after "："),
                                     never a literal space or line break between the label and its value
"""

from django import template
from django.template.defaultfilters import truncatechars
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .. import dates, names, sentences
from ..documents import official_document_links
from ..regions import region_name as m49_region_name

register = template.Library()


@register.simple_tag
def shown(obj, field: str, truncate: int | None = None):
    if obj is None:
        return ""
    text = names.shown(obj, field)
    value = truncatechars(text.text, truncate) if truncate else text.text
    if not text.missing:
        return value
    return format_html(
        '<span lang="{}">{}</span> <span class="badge text-bg-light border fw-normal not-translated">{}</span>',
        text.language,
        value,
        _("English — not yet translated"),
    )


@register.filter
def clauses(parts) -> str:
    """Plain text (the page escapes it): the filters in words, "Items: R02; Countries or organizations: Country"."""
    return sentences.clauses(parts or [])


@register.simple_tag
def clause_separator() -> str:
    return sentences.clause_separator()


@register.simple_tag
def label_separator() -> str:
    return sentences.label_separator()


@register.simple_tag
def label_space() -> str:
    return sentences.label_space()


@register.simple_tag
def full_stop() -> str:
    return sentences.full_stop()


@register.simple_tag
def sentence_separator() -> str:
    return sentences.sentence_separator()


@register.filter
def long_date(day) -> str:
    return dates.long_date(_local(day)) if day else ""


@register.filter
def long_date_and_time(moment) -> str:
    return dates.long_date_and_time(_local(moment)) if moment else ""


def _local(value):
    """An aware date and time in the current time zone, as Django's |date filter shows it."""
    return timezone.localtime(value) if hasattr(value, "tzinfo") and timezone.is_aware(value) else value


@register.filter
def shown_text(obj, field: str) -> str:
    return names.shown(obj, field).text if obj is not None else ""


@register.filter
def lang_attr(obj, field: str) -> str:
    return mark_safe(names.lang_attribute(obj, field)) if obj is not None else ""  # noqa: S308 - a language code


@register.filter
def actor_name(actor) -> str:
    return names.actor_name(actor) if actor is not None else ""


@register.filter
def region_name(name) -> str:
    return m49_region_name(name) if name else ""


@register.filter
def in_english(text) -> str:
    return format_html('<span lang="en">{}</span>', text) if text else ""


@register.inclusion_tag("languages/_official_links.html")
def official_links(document):
    """The source document in each UN language (languages/documents.py), where the source is cited."""
    return {"document": document, "links": official_document_links(getattr(document, "symbol", ""))}
