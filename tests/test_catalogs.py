"""The five translation catalogs are complete, in step with the code, and keep what the code fills in.

Three checks, each a function run on the committed catalogs and, to show it bites, on a broken copy:
- every entry has a translation (every plural form too) and none is fuzzy (a fuzzy entry is ignored by gettext:
  the page would show English);
- every string the code marks today is in every catalog (Django's makemessages run on a temporary copy of the
  sources, so the repository's files are not touched);
- every translation keeps the msgid's placeholders (%(name)s, {name}) and HTML tags (a lost %(n)s raises or
  hides a number; a lost </a> breaks the page).
"""

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ["fr", "es", "ru", "zh_Hans", "ar"]
CATALOGS = {locale: ROOT / "locale" / locale / "LC_MESSAGES" / "django.po" for locale in LOCALES}

# The files makemessages reads (domain "django": templates, text templates, Python), and the directories the
# Makefile's `make messages` ignores.
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
IGNORED_DIRS = {".venv", "staticfiles", "media", "open-data", "backups", "test-artifacts", "node_modules", "locale"}

PYTHON_PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%[sd]")
BRACE_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
HTML_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b")


def _key(entry):
    return (entry.msgctxt or "", entry.msgid)


def untranslated(catalog):
    """Entries with an empty translation (or an empty plural form), and fuzzy entries."""
    problems = []
    for entry in catalog:
        if entry.obsolete:
            continue
        if entry.fuzzy:
            problems.append(("fuzzy", entry.msgid))
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(form.strip() for form in entry.msgstr_plural.values()):
                problems.append(("empty", entry.msgid))
        elif not entry.msgstr.strip():
            problems.append(("empty", entry.msgid))
    return problems


def missing_from(catalog, template):
    """Strings the code marks (in the freshly extracted template) that the catalog lacks."""
    present = {_key(entry) for entry in catalog if not entry.obsolete}
    return sorted(_key(entry) for entry in template if entry.msgid and _key(entry) not in present)


def _placeholders(text, entry):
    found = []
    if "python-format" in entry.flags:
        found += PYTHON_PLACEHOLDER.findall(text)
    if "python-brace-format" in entry.flags:
        found += BRACE_PLACEHOLDER.findall(text)
    return set(found)


def _tags(text):
    return Counter(match.group(0).lower() for match in HTML_TAG.finditer(text))


def lost_placeholders_or_tags(catalog):
    """Translations whose placeholders or HTML tags differ from their msgid's.

    Plural forms: each form may use only the msgid's/msgid_plural's placeholders, must keep all of them but the
    count (Arabic's "one"/"two" forms and Chinese may say the number in words or drop it), and keep the tags.
    """
    problems = []
    for entry in catalog:
        if entry.obsolete or entry.fuzzy:
            continue
        if entry.msgid_plural:
            allowed = _placeholders(entry.msgid, entry) | _placeholders(entry.msgid_plural, entry)
            required = _placeholders(entry.msgid, entry) & _placeholders(entry.msgid_plural, entry)
            forms = entry.msgstr_plural.values()
            for form in forms:
                used = _placeholders(form, entry)
                # The count is the placeholder the plural's English forms differ by, or the only one.
                count_free = required - {p for p in required if "count" in p or "(n)" in p or p in ("%d", "%s")}
                if not used <= allowed or not count_free <= used or _tags(form) != _tags(entry.msgid_plural):
                    problems.append(entry.msgid)
                    break
            continue
        if not entry.msgstr:
            continue
        if _placeholders(entry.msgstr, entry) != _placeholders(entry.msgid, entry) or _tags(entry.msgstr) != _tags(
            entry.msgid
        ):
            problems.append(entry.msgid)
    return problems


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The template (.pot) makemessages builds from today's code, on a temporary copy of the sources."""
    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path_factory.mktemp("sources")
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        if any(part in IGNORED_DIRS or part.startswith((".venv", ".cluster", ".")) for part in relative.parts[:-1]):
            continue
        target = copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-location", "--keep-pot", "-v", "0"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    return polib.pofile(str(copy / "locale" / "django.pot"))


@pytest.fixture(scope="module", params=LOCALES)
def catalog(request):
    return polib.pofile(str(CATALOGS[request.param]))


def test_every_entry_is_translated_and_none_is_fuzzy(catalog):
    assert len(catalog) > 500
    assert untranslated(catalog) == []


def test_every_string_the_code_marks_is_in_the_catalog(catalog, extracted):
    assert len(extracted) > 500
    assert missing_from(catalog, extracted) == []


def test_translations_keep_the_placeholders_and_tags(catalog):
    assert lost_placeholders_or_tags(catalog) == []


BROKEN = r"""
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

msgid "Log in"
msgstr ""

#, fuzzy
msgid "Reports"
msgstr "Rapports"

#, python-format
msgid "Updated %(when)s by %(who)s"
msgstr "Mis à jour %(quand)s par %(who)s"

msgid "Read <a href=\"%(url)s\">the source</a>"
msgstr "Lire la source"

#, python-format
msgid "%(n)s item in %(place)s"
msgid_plural "%(n)s items in %(place)s"
msgstr[0] "%(n)s appel"
msgstr[1] ""

#, python-brace-format
msgid "{done} of {total}"
msgstr "{fait} sur {total}"
"""


def test_the_checks_catch_a_broken_catalog(tmp_path):
    """Each check fails on a copy of a catalog with an empty, a fuzzy, a half-plural and mangled entries."""
    broken = tmp_path / "django.po"
    broken.write_text(BROKEN, encoding="utf-8")
    catalog = polib.pofile(str(broken))
    assert sorted(untranslated(catalog)) == [
        ("empty", "%(n)s item in %(place)s"),
        ("empty", "Log in"),
        ("fuzzy", "Reports"),
    ]
    assert lost_placeholders_or_tags(catalog) == [
        "Updated %(when)s by %(who)s",
        'Read <a href="%(url)s">the source</a>',
        "%(n)s item in %(place)s",
        "{done} of {total}",
    ]
    template = polib.POFile()
    template.append(polib.POEntry(msgid="Log in"))
    template.append(polib.POEntry(msgid="A new string"))
    template.append(polib.POEntry(msgid="Item", msgctxt="call to action"))
    assert missing_from(catalog, template) == [("", "A new string"), ("call to action", "Item")]


def test_a_real_catalog_with_an_entry_removed_or_emptied_fails(tmp_path, extracted):
    """The same checks on a tmp copy of the French catalog: drop one entry, empty another, mangle a third."""
    catalog = polib.pofile(str(CATALOGS["fr"]))
    formatted = next(e for e in catalog if "python-format" in e.flags and not e.msgid_plural and "%(" in e.msgid)
    formatted.msgstr = formatted.msgstr.replace("%(", "%(x")
    plain = next(e for e in catalog if not e.msgid_plural and e is not formatted)
    plain.msgstr = ""
    dropped = next(e for e in catalog if e is not formatted and e is not plain)
    catalog.remove(dropped)
    copy = tmp_path / "django.po"
    catalog.save(str(copy))
    reread = polib.pofile(str(copy))
    assert untranslated(reread) == [("empty", plain.msgid)]
    assert lost_placeholders_or_tags(reread) == [formatted.msgid]
    assert missing_from(reread, extracted) == [_key(dropped)]
