"""The tracker's words, in plain language: what each status means, with an example, and the other terms.

The scales themselves (which statuses, in which order, for which kind) are read from models.SCALES, their one
definition; this module only explains them. A status added to a scale without a meaning here fails a test.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import NO_INFORMATION, NO_INFORMATION_LABEL, SCALES, STATUS_SHORT, Kind, Status, status_label

# For each kind of item: what its scale measures.
KIND_INTRO = {
    Kind.RATIFICATION: (
        _(
            "Whether a country has joined an international treaty named in the item, such as the Migrant Workers "
            "Convention (ICRMW). Only countries can join a treaty."
        )
    ),
    Kind.POLICY: (
        _(
            "How far a country or an organization has carried out a policy the item asks for. The steps follow the "
            "completion scale of the Open Government Partnership."
        )
    ),
    Kind.QUANTITATIVE: (
        _(
            "A number measured against a target. Nobody chooses these statuses: the tracker works them out from the "
            "value that was reported."
        )
    ),
}

# Each status: (what it means, an example). Plain words, short sentences.
MEANINGS: dict[str, tuple[str, str]] = {
    Status.NO_ACTION: (
        _("The country has not signed the treaty and has not joined it."),
        _("A country that has taken no step on the Migrant Workers Convention."),
    ),
    Status.SIGNED: (
        _("The country signed the treaty. This shows it intends to join, but it is not yet bound by the treaty."),
        _("A country signed the Convention in 2015 and has not ratified it since."),
    ),
    Status.RATIFIED: (
        _("The country signed and then ratified the treaty. It is a party: the treaty binds it."),
        _("A country signed the Convention in 2000 and its parliament ratified it in 2003."),
    ),
    Status.ACCEDED: (
        _(
            "The country joined the treaty in one step, without signing first. It is a party, exactly as if it "
            "had ratified."
        ),
        _("A country joined the Convention in 2005 after it had come into force."),
    ),
    Status.SUCCEEDED: (
        _("A new State declared itself bound by a treaty that the State it came from had joined. It is a party."),
        _("A State that became independent and kept its predecessor's membership of the treaty."),
    ),
    Status.DENOUNCED: (
        _("The country was a party and has formally left the treaty."),
        _("A country notified the United Nations that it withdraws from the treaty."),
    ),
    Status.NOT_STARTED: (
        _("Nothing has been done yet."),
        _("A government promised a law on recruitment agencies, but no draft exists."),
    ),
    Status.LIMITED: (
        _("First steps only: a small part of what the item asks for is done."),
        _("A draft law on recruitment agencies was published for comment."),
    ),
    Status.SUBSTANTIAL: (
        _("Much is done, but not all of it."),
        _("The law was passed, but the rules needed to apply it are missing."),
    ),
    Status.COMPLETE: (
        _("Everything the item asks for is done."),
        _("The law is in force and inspectors apply it."),
    ),
    Status.BACKSLIDING: (
        _("Things went backwards: something done before was undone or weakened."),
        _("A protection for migrant workers was repealed."),
    ),
    Status.OFF_TRACK: (
        _("The measured value is on the wrong side of the item's ceiling."),
        # xgettext:no-python-format (a percentage, not a placeholder)
        _("Sending money home costs 7 % of the amount, above the 5 % ceiling."),
    ),
    Status.PROGRESSING: (
        _("The measured value is between the ceiling and the target."),
        # xgettext:no-python-format (a percentage, not a placeholder)
        _("Sending money home costs 4 %: below the 5 % ceiling, not yet at the 3 % target."),
    ),
    Status.TARGET_MET: (
        _("The measured value reaches the target."),
        # xgettext:no-python-format (a percentage, not a placeholder)
        _("Sending money home costs 2.5 %, within the 3 % target."),
    ),
}

NO_INFORMATION_MEANING = _(
    "No verified update yet. It does not mean that nothing happened: only that nobody has reported it, or that a "
    "reviewer has not checked it yet. Anyone with an invitation can report it."
)

# The other words the pages use, in the order a newcomer meets them.
TERMS: list[tuple[str, str, str]] = [
    (
        "item",
        _("Item (call to action)"),
        _(
            "One thing the 2006 summary of the UN General Assembly's hearings asks someone to do, quoted in the "
            "summary's own words and cited by paragraph. The tracker follows each one as an item with a code "
            "such as R07."
        ),
    ),
    (
        "country-or-organization",
        _("Country or organization"),
        _(
            "Who an item asks to act: a country (a UN Member or observer State) or an organization such as an NGO, "
            "a trade union or a company. Each item says which of the two it concerns."
        ),
    ),
    (
        "status",
        _("Status"),
        _(
            "Where one country or organization stands on one item, on the item's scale (below). Each status has a "
            "date: the day, month or year it was true."
        ),
    ),
    (
        "kind",
        _("Kind of item"),
        _(
            "Items come in three kinds, each with its own scale: treaty ratification, policy action and "
            "quantitative target."
        ),
    ),
    (
        "verified",
        _("Verified update"),
        _(
            "A status someone reported, with evidence, that a reviewer has checked. Only verified updates count in "
            "reports, maps and exports."
        ),
    ),
    (
        "reporter",
        _("Reporter and reviewer"),
        _(
            "Reporters are invited staff of organizations who log statuses. Reviewers check the evidence before a "
            "status is published."
        ),
    ),
    (
        "exports",
        _("In the downloaded files"),
        _(
            "Column names are short: “actor” means the country or organization, “recommendation” or “item” the item, "
            "and “status” one of the statuses above (“no_information” for No information)."
        ),
    ),
    (
        "theme",
        _("Theme"),
        _(
            "A subject the tracker's editors group items under, such as remittances. Themes, titles and links to "
            "SDG targets are the tracker's additions, not the source's words."
        ),
    ),
]


@dataclass
class ScaleEntry:
    status: str
    label: str
    letter: str
    meaning: str
    example: str


def entries(kind: str) -> list[ScaleEntry]:
    """One kind's scale, in models.SCALES's order, each status with its meaning and example."""
    return [ScaleEntry(s, status_label(s), STATUS_SHORT[s], *map(str, MEANINGS[s])) for s in SCALES[kind]]


def scales() -> list[tuple[str, str, str, list[ScaleEntry]]]:
    """(kind, kind label, intro, entries) for every kind."""
    return [(kind.value, kind.label, KIND_INTRO[kind], entries(kind)) for kind in Kind]


def no_information() -> ScaleEntry:
    return ScaleEntry(
        NO_INFORMATION, str(NO_INFORMATION_LABEL), STATUS_SHORT[NO_INFORMATION], str(NO_INFORMATION_MEANING), ""
    )
