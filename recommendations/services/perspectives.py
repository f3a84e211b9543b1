"""Who says so: the default perspective of an update (``default_perspective``), the one rule.

The form's initial choice, an imported row without a ``perspective`` column, an API write without one and
migration 0014's fill of the existing updates all follow it (the migration holds a copy, as migrations
must not import code that may change).
"""

from ..models import Actor, OrganizationType, Perspective

# The UN Treaty Collection (``load_icrmw_baseline`` files the ratification baseline under this code) is the
# treaty depositary's record.
TREATY_DEPOSITARY_CODES = frozenset({"un-treaty-collection"})

# An organization reports from its own point of view: a UN entity's reports are a UN mechanism's, a research
# institution's or a financial institution's figures are independent data; every other organization
# (NGOs, migrant associations, trade unions, companies) gives a civil-society assessment. A government's
# self-report is never a default: a reporter transcribing one says so.
BY_ORGANIZATION_TYPE = {
    OrganizationType.INTERNATIONAL: Perspective.UN_MECHANISM,
    OrganizationType.ACADEMIC: Perspective.INDEPENDENT_DATA,
    OrganizationType.FINANCIAL_INSTITUTION: Perspective.INDEPENDENT_DATA,
}


def default_perspective(organization: Actor | None) -> str:
    """The perspective of an update filed for ``organization`` when its reporter does not state one."""
    if organization is None:
        return Perspective.CIVIL_SOCIETY
    if organization.code.lower() in TREATY_DEPOSITARY_CODES:
        return Perspective.UN_TREATY_DEPOSITARY
    return BY_ORGANIZATION_TYPE.get(organization.organization_type, Perspective.CIVIL_SOCIETY)


def parse_perspective(text: str | None, organization: Actor | None) -> str:
    """A perspective as a file or an API gives it (its code or its label, any case; empty: the default),
    or a ValueError with the message to show."""
    text = (text or "").strip()
    if not text:
        return default_perspective(organization)
    for perspective in Perspective:
        if text.lower() in (perspective.value, perspective.label.lower()):
            return perspective.value
    raise ValueError(
        f"Unknown perspective “{text}”. Use one of: {', '.join(p.value for p in Perspective)} "
        "(or leave it empty for the organization's usual one)."
    )
