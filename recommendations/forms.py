"""Forms. They parse and present; the rules themselves live in services (services/validation.py and the rest).

A service raises ValidationError keyed by field; ``apply_service_errors``
puts each message next to its field, so a rule is written once and every
entry point (form, import, admin) reports it the same way.
"""

import functools
import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from languages.names import shown
from languages.numbers import count, measured

from . import imports, kept_uploads, rows, services
from .models import (
    SCALE_NAMES,
    Actor,
    ActorKind,
    DatePrecision,
    Kind,
    Perspective,
    ProgressUpdate,
    Recommendation,
    plain_number,
)


def apply_service_errors(form: forms.Form, error: ValidationError):
    """Attach a service's ValidationError to the form, field by field where possible."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    aliases = {"reported_by_organization": "organization", "actor": None, "as_of_precision": "as_of_precision"}
    for field, errors in error.error_dict.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


class NulFreeJSONField(forms.JSONField):
    """JSON whose text (keys and values) holds no NUL character: one escaped as \\u0000 is seen only once decoded.

    ``empty``: what an empty box, ``null`` or an empty list or object stands for (a callable, such as the model
    field's default): a column that cannot hold NULL gets its default instead of an IntegrityError.
    """

    def __init__(self, *, empty=None, **kwargs):
        self.empty = empty
        super().__init__(**kwargs)

    def to_python(self, value):
        if self.empty is not None and isinstance(value, str) and not value.strip():
            value = ""  # a box holding only spaces is empty too (JSONField does not strip, as CharField does)
        value = super().to_python(value)
        if self.empty is not None and value in self.empty_values:
            return self.empty()
        return value

    def validate(self, value):
        super().validate(value)
        if services.has_nul(value):
            raise ValidationError(services.NUL_MESSAGE, code="null_characters_not_allowed")


class ChooserWidget(forms.TextInput):
    """A text box with a <datalist> of suggestions; JavaScript (optional) refreshes the list as you type."""

    def __init__(self, datalist_id: str, search_url=None, attrs=None):
        attrs = {"list": datalist_id, "autocomplete": "off", **(attrs or {})}
        if search_url is not None:  # may be a lazy URL: don't resolve it at import time
            attrs["data-chooser-url"] = search_url
        super().__init__(attrs)


def _interpolated(message, **values):
    """A lazily translated message with its named placeholders filled in, in the language active when shown."""
    return lazy(lambda: str(message) % values, str)()


# What the post of an update reads of its actor: its id, code, name (the message, the audit line) and kind (the
# rules); of its item, ``rows.ITEM_TO_WRITE``. The page shown again after a refusal reads the whole rows.
WRITE_ACTOR_FIELDS = ("id", "code", "name", "kind")


def _actors_to_write():
    return Actor.objects.real().only(*WRITE_ACTOR_FIELDS)


# ``resolve``'s exact match on the post of an update, as the ORM writes it for these querysets: compiled once
# per database and run as a prepared statement (``rows.read_once``), not compiled afresh on every post.
def _actors_named_to_write(text):
    return _actors_to_write().named(text)[:2]


def _countries_named_to_write(text):
    return _actors_to_write().countries().named(text)[:2]


class ChooseForm(forms.Form):
    """Step 1 of logging progress: which item, and which actor.

    ``to_write``: the post of the update itself, which reads only the columns the write needs of each
    (``rows.item_to_write``, ``WRITE_ACTOR_FIELDS``).
    """

    item = forms.CharField(
        label=_("Item"),
        help_text=_("Type a code (R17) or words of the title, then pick from the list."),
        widget=ChooserWidget("items-list", attrs={"class": "form-control"}),
    )
    actor = forms.CharField(
        label=_("Country or organization"),
        help_text=_("Type a name or code (e.g. Kenya or KEN)."),
        widget=ChooserWidget(
            "actors-list",
            search_url=reverse_lazy("recommendations:actor_search"),
            attrs={"class": "form-control", "data-chooser-item": "id_item"},
        ),
    )

    def __init__(self, *args, to_write: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.to_write = to_write

    def _actors(self):
        return _actors_to_write() if self.to_write else Actor.objects.real()

    def _exact(self, named):
        """How ``resolve`` reads its exact matches: on the post of an update, ``named``'s statement compiled once."""
        return functools.partial(rows.read_once, named) if self.to_write else None

    def clean(self):
        cleaned = super().clean()
        item, actor = cleaned.get("item"), cleaned.get("actor")
        if item and actor and item.kind == Kind.RATIFICATION and actor.kind != ActorKind.COUNTRY:
            self.add_error(
                "actor",
                gettext("%(code)s is about ratifying a treaty; only a country can do that.") % {"code": item.code},
            )
        return cleaned

    def clean_item(self):
        text = self.cleaned_data["item"].strip()
        if text.endswith(")") and "(" in text:  # "Title (R17)"
            text = text.rsplit("(", 1)[1].rstrip(")")
        code = text.split(" ", 1)[0].upper()
        if self.to_write:  # the columns the write needs, by a statement built once (rows.py)
            item = rows.item_to_write(code)
        else:  # get(), not filter().first(): the code is unique, and first() would add an ORDER BY
            try:
                item = Recommendation.objects.select_related("document").get(code=code)
            except Recommendation.DoesNotExist:
                item = None
        if item is None:
            matches = list(Recommendation.objects.select_related("document").search(text)[:6])
            if len(matches) == 1:
                return matches[0]
            hint = "; ".join(f"{m.code} {m.title}" for m in matches)
            message = gettext("No item matches “%(text)s”.") % {"text": text}
            if hint:
                message += " " + gettext("Did you mean: %(hint)s?") % {"hint": hint}
            raise ValidationError(message)
        return item

    def clean_actor(self):
        text = self.cleaned_data["actor"]
        item = self.cleaned_data.get("item")
        if item is not None and item.kind == Kind.RATIFICATION:
            # Only countries ratify: "Brasil" means a country here, never an organization with it in its name.
            actor, suggestions = self._actors().countries().resolve(text, exact=self._exact(_countries_named_to_write))
            named, _hints = (
                self._actors().resolve(text, exact=self._exact(_actors_named_to_write)) if actor is None else (None, [])
            )
            if named is not None and text.strip().lower() in {named.code.lower(), named.name.lower()}:
                return named  # named exactly (not a fragment): clean() says why it cannot be
            if actor is None:
                hint = "; ".join(f"{a.name} ({a.code})" for a in suggestions)
                raise ValidationError(
                    gettext("No single country matches “%(text)s” (only a country can ratify %(code)s).")
                    % {"text": text.strip(), "code": item.code}
                    + " "
                    + (
                        gettext("Did you mean: %(hint)s?") % {"hint": hint}
                        if hint
                        else gettext("Check the spelling or use the code (e.g. BRA).")
                    )
                )
            return actor
        actor, suggestions = self._actors().resolve(text, exact=self._exact(_actors_named_to_write))
        if actor is None:
            hint = "; ".join(f"{a.name} ({a.code}, {a.get_kind_display().lower()})" for a in suggestions)
            raise ValidationError(
                gettext("No single country or organization matches “%(text)s”.") % {"text": text.strip()}
                + " "
                + (
                    gettext("Did you mean: %(hint)s?") % {"hint": hint}
                    if hint
                    else gettext("Check the spelling or use the code.")
                )
            )
        return actor


EVIDENCE_RULE_LABEL = _("Evidence links (required: at least one link, or a file)")


class _LazyOrganizationChoices(forms.models.ModelChoiceIterator):
    """The choices of an ``OwnOrganizationField``, which read its queryset only when listed (Django's read it
    when made)."""

    def __init__(self, field):
        self.field = field

    @property
    def queryset(self):
        return self.field.queryset


class OwnOrganizationField(forms.ModelChoiceField):
    """The organization a person files for: found in their organizations already read for this request
    (``services.organizations_of``) without another query; anything else is looked up in the queryset as usual.

    The queryset of the person's organizations is built only when something reads it (the page's list of
    choices, a value not among the known ones): a post of a known organization never does, and building it
    (a filter across the memberships) was 3 % of a post's Python (issue 21)."""

    iterator = _LazyOrganizationChoices
    known = None
    person = None

    def for_person(self, user) -> None:
        self.person, self.known = user, services.cached_organizations(user)
        self._queryset = None
        self.widget.choices = self.choices  # bound to this field, whose queryset is built when they are read

    def _get_queryset(self):
        if self._queryset is None and self.person is not None:
            self._queryset = services.user_organizations(self.person)
        return self._queryset

    queryset = property(_get_queryset, forms.ModelChoiceField._set_queryset)

    def to_python(self, value):
        if self.known is not None and value not in self.empty_values:
            for organization in self.known:
                if str(organization.pk) == str(value):
                    return organization
        return super().to_python(value)


class ProgressUpdateForm(forms.Form):
    """Step 2: the update itself, for one item and one actor (so the status list is that item's scale)."""

    organization = OwnOrganizationField(queryset=None, label=_("Filed on behalf of"), empty_label=None)
    status = forms.ChoiceField(label=_("Status"))
    value = forms.DecimalField(label=_("Measured value"), max_digits=12, decimal_places=4, required=False)
    as_of = forms.DateField(
        label=_("As of"),
        help_text=_("The date the status applies to (not today's date unless it is)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    as_of_precision = forms.ChoiceField(
        label=_("Precision of the date"),
        choices=DatePrecision.choices,
        initial=DatePrecision.DAY,
        help_text=_("Choose “Year” if you only know the year (the date is then shown as a year)."),
    )
    perspective = forms.ChoiceField(
        label=_("Who says so (perspective)"),
        choices=Perspective.choices,
        required=False,  # not sent (an older page, a script): the organization's usual one
        help_text=_(
            "Whose assessment this update reports: the government's own report, civil society's, a UN "
            "mechanism's, independent data, or the treaty depositary's record. Reports show each perspective "
            "beside the others, so a government's claim and a shadow report both stay visible."
        ),
    )
    historical = forms.BooleanField(
        label=_("Historical: this records a fact from before the 2006 source document"),
        required=False,
    )
    narrative = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_interpolated(
            _("%(min)s–%(max)s characters: what changed, who did it, and where the evidence says so."),
            min=services.NARRATIVE_MIN,
            max=lazy(count, str)(services.NARRATIVE_MAX),  # "5,000", "5 000": grouped when shown
        ),
        # Django's NUL check runs before the rule's (services.validate_progress): it says the rule's words, the
        # ones an imported row with a NUL gets.
        error_messages={"null_characters_not_allowed": services.NUL_MESSAGE},
    )
    # The rule (services.validate_progress): at least one link, or a file. Neither field is required alone,
    # so both labels say it, and the browser is not told either one is required.
    evidence_urls = forms.CharField(
        label=EVIDENCE_RULE_LABEL,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://…", "aria-required": "true"}),
        help_text=_(
            "One web address per line (official gazette, treaty record, report…). "
            "Required unless you attach an evidence file below."
        ),
        required=False,
    )
    evidence_file = forms.FileField(
        label=_("Evidence file (instead of, or as well as, links)"),
        required=False,
        help_text=_(
            "PDF, image or office document, up to %(limit)s MB. Readers download it; it is never shown inline."
        ),
    )
    # A file chosen before the form was returned with an error, kept for this try (see kept_uploads).
    kept_file = forms.CharField(widget=forms.HiddenInput, required=False)
    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, recommendation: Recommendation, actor: Actor, user, update=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.recommendation, self.actor, self.user, self.update = recommendation, actor, user, update
        self.fields["organization"].for_person(user)
        self.fields["evidence_file"].help_text = self.fields["evidence_file"].help_text % {
            "limit": services.upload_limit_mb()
        }
        if not self.is_bound and update is None:
            # The usual perspective of the organization offered first (the one selected unless changed).
            known = self.fields["organization"].known
            first = known[0] if known else self.fields["organization"].queryset.first()
            self.initial.setdefault("perspective", services.default_perspective(first))
        if update is not None:
            # Editing: the organization is fixed; the version guards against a concurrent edit.
            del self.fields["organization"]
            self.fields["version"].required = True
            self.fields["evidence_file"].help_text += " " + gettext("Uploading a new file replaces the current one.")
        if recommendation.kind == Kind.QUANTITATIVE:
            del self.fields["status"]
            self.fields["value"].required = True
            self.fields["value"].label = gettext("Measured value (%(unit)s)") % {
                "unit": shown(recommendation, "unit").text
            }
            low, high = recommendation.value_min, recommendation.value_max
            bounds = (
                gettext("Between %(low)s and %(high)s.")
                % {"low": measured(plain_number(low)), "high": measured(plain_number(high))}
                + " "
                if low is not None and high is not None
                else ""
            )
            self.fields["value"].help_text = bounds + recommendation.thresholds_explained()
        else:
            del self.fields["value"]
            self.fields["status"].choices = [("", gettext("Choose a status…")), *recommendation.status_choices()]
            scale = SCALE_NAMES[recommendation.kind]
            self.fields["status"].help_text = gettext(
                "Only the statuses of the %(scale)s scale apply to this item."
            ) % {"scale": scale}
        if not self.is_bound and update is None:
            # _("As of") stays empty: the date the status applies to is rarely today's.
            self.initial.setdefault("submission_token", uuid.uuid4())
        self.kept = None  # the file kept from an earlier try, once restored
        if self.is_bound and not self.files.get("evidence_file") and self.data.get("kept_file"):
            self.kept = kept_uploads.restore(self.data["kept_file"], user=user)
            if self.kept is not None:
                self.fields["evidence_file"].help_text = (
                    gettext("Kept from your last try: %(name)s. Choose another file to replace it.")
                    % {"name": self.kept.name}
                    + " "
                    + self.fields["evidence_file"].help_text
                )
        if update is not None and update.evidence_file:
            self.fields["evidence_file"].help_text = (
                gettext("Attached now: %(file)s (download it from the update's page).")
                % {"file": update.evidence_file_type or gettext("a file")}
                + " "
                + self.fields["evidence_file"].help_text
            )

    @functools.cached_property
    def helper(self) -> FormHelper:
        """The page's layout (``{% crispy form %}``), built when the form is shown: an accepted post never is."""
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(
            *[
                Field(name)
                for name in self.fields
                if name not in {"historical", "submission_token", "version", "kept_file"}
            ],
            Div(Field("historical"), css_class="mb-3"),
            Field("submission_token"),
            Field("version"),
            Field("kept_file"),
        )
        return helper

    def clean_evidence_urls(self):
        return services.split_links(self.cleaned_data.get("evidence_urls", ""))

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            try:
                services.inspect_evidence_file(upload)
            except ValidationError as error:
                raise ValidationError(error.messages) from error
            return upload
        return self.kept

    def keep_evidence_file(self) -> None:
        """After a refusal: keep a chosen (and acceptable) file for the next try, and say so on the form."""
        upload = self.files.get("evidence_file")
        if not upload or "evidence_file" in self.errors:
            return
        reference = kept_uploads.keep(upload, user=self.user)
        self.data = self.data.copy()
        self.data["kept_file"] = reference
        self.fields["evidence_file"].help_text = (
            gettext("Kept from this try: %(name)s. You need not choose it again; choose another file to replace it.")
            % {"name": upload.name}
            + " "
            + self.fields["evidence_file"].help_text
        )
        self._bound_fields_cache.pop("evidence_file", None)  # shown with the new help text

    def clean(self):
        """Run the service's rules too, so every problem is reported at once, each next to its field."""
        cleaned = super().clean()
        data = {
            "status": cleaned.get("status"),
            "value": cleaned.get("value"),
            # A missing or invalid date has its own message already; check the rest with today's.
            "as_of": cleaned.get("as_of") or timezone.localdate(),
            "as_of_precision": cleaned.get("as_of_precision") or DatePrecision.DAY,
            "historical": cleaned.get("historical", False),
            "perspective": cleaned.get("perspective") or None,
            "narrative": cleaned.get("narrative", ""),
            "evidence_urls": cleaned.get("evidence_urls") or [],
            "has_file": bool(cleaned.get("evidence_file") or (self.update and self.update.evidence_file)),
        }
        try:
            services.validate_progress(
                actor=self.actor,
                recommendation=self.recommendation,
                organization=cleaned.get("organization") if "organization" in self.fields else None,
                **data,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                name = {"reported_by_organization": "organization"}.get(field, field)
                if name in self.fields and name not in self.errors:
                    self.add_error(name, messages)
                elif name not in self.fields:
                    self.add_error(None, messages)
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "status": data.get("status"),
            "value": data.get("value"),
            "as_of": data["as_of"],
            "as_of_precision": data["as_of_precision"],
            "historical": data["historical"],
            "perspective": data.get("perspective") or None,
            "narrative": data["narrative"],
            "evidence_urls": data["evidence_urls"],
            "evidence_file": data.get("evidence_file"),
        }

    @classmethod
    def initial_from(cls, update: ProgressUpdate) -> dict:
        return {
            "status": update.status,
            "value": update.value,
            "as_of": update.as_of,
            "as_of_precision": update.as_of_precision,
            "historical": update.historical,
            "perspective": update.perspective,
            "narrative": update.narrative,
            "evidence_urls": "\n".join(update.evidence_urls),
            "version": update.version,
            "submission_token": update.submission_token or uuid.uuid4(),
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("verify", pgettext_lazy("review decision", "Verify")), ("return", _("Return with a reason"))]
    )
    # A reviewer's correction of who says so (kept as it is when not sent, e.g. from the review queue). Text, not
    # a choice: ``services.verify_update`` checks it and says what the choices are (the page draws its own list).
    perspective = forms.CharField(required=False)
    reason = forms.CharField(
        label=_("Reason (required when returning)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        error_messages={"null_characters_not_allowed": services.NUL_MESSAGE},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why withdraw it?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        error_messages={"null_characters_not_allowed": services.NUL_MESSAGE},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class InviteForm(forms.Form):
    # Labels written out: Django's default is the field's English name, which no catalog translates.
    email = forms.EmailField(label=_("Email"))
    name = forms.CharField(label=pgettext_lazy("a person's", "Name"), required=False)
    organizations = forms.CharField(
        label=_("Organizations"),
        help_text=_("Organization codes, separated by commas (e.g. mfa-asia, kituo-cha-sheria)."),
        required=False,
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(key, label) for key, label in services.ROLE_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    # The invitee's language: the email's and the set-password page's. Left blank, an existing person's remembered
    # language is kept and a new one is invited in the inviter's (``services.invitation_language``).
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=[("", _("Their own, if known; else this page's")), *settings.LANGUAGES],
        required=False,
    )

    def clean_organizations(self):
        codes = [c.strip() for c in self.cleaned_data["organizations"].split(",") if c.strip()]
        organizations, missing = Actor.objects.organizations().with_codes(codes)
        if missing:
            raise ValidationError(gettext("Unknown organization code(s): %(codes)s.") % {"codes": ", ".join(missing)})
        return organizations


class ImportForm(forms.Form):
    """Step 1 of an import: the file, on whose behalf, and (reviewers) whether it is verified."""

    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        help_text=_interpolated(
            _(
                "The columns of the status export, and a narrative column (the templates are linked above). "
                "Up to %(limit)s MB."
            ),
            limit=imports.MAX_UPLOAD_BYTES // 1_048_576,
        ),
    )
    organization = forms.ModelChoiceField(
        queryset=Actor.objects.none(),
        label=_("Filed on behalf of"),
        help_text=_(
            "For rows whose reported_by_organization column is empty; a row may name another "
            "organization you belong to."
        ),
    )
    verified = forms.BooleanField(
        label=_("Import them as verified: they count once a second reviewer confirms the import"), required=False
    )
    source = forms.CharField(
        label=_("Source that vouches for them"),
        required=False,
        max_length=500,
        help_text=_(
            "Required to import as verified, e.g. “UN Treaty Collection, status as of 1 May 2024”. "
            "A second reviewer then confirms the import before it counts."
        ),
    )

    def __init__(self, *args, user, reviewer: bool, **kwargs):
        super().__init__(*args, **kwargs)
        organizations = services.user_organizations(user)
        self.fields["organization"].queryset = organizations
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk
        if not reviewer:
            del self.fields["verified"]
            del self.fields["source"]
        self.helper = FormHelper()
        self.helper.form_tag = False


# ---------------------------------------------------------------------------
# Accounts: log in with the email address; password errors under the password they concern
# ---------------------------------------------------------------------------


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, asking for the email address (any case); a username still works for the admin."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email and password do not match an account. Check the password: capitals count."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.label = gettext("Email")
        field.help_text = gettext("The address your invitation was sent to.")
        field.widget.attrs.update({"autocomplete": "email", "inputmode": "email"})


class _PasswordErrorsWhereTheyBelong:
    """A weak password is said under "New password", where it was typed; only a mismatch goes under the
    confirmation (Django puts both under the confirmation)."""

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)


class TrackerSetPasswordForm(_PasswordErrorsWhereTheyBelong, SetPasswordForm):
    pass


class TrackerPasswordChangeForm(_PasswordErrorsWhereTheyBelong, PasswordChangeForm):
    pass
