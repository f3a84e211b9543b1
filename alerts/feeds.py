"""Atom feeds of verified updates: per item, per country or organization, per theme, and per report filter.

Every feed is the report feed with a filter: it reads the same query string
as ``/reports/`` through ``StatusFilter`` (the item, actor and row
conditions it yields), so ``/feeds/reports/?theme=remittances&status=ratified``
lists exactly the verified updates of that report, newest verification first.
No account is needed; only verified updates ever appear.
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from languages.sentences import clauses
from recommendations.filters import StatusFilter
from recommendations.models import Actor, ProgressUpdate, Recommendation, Theme

ENTRIES = 50


@dataclass
class Source:
    filterset: StatusFilter
    title: str
    link: str
    description: str


def verified_updates(filterset: StatusFilter):
    """The verified updates a report filter covers (its item, actor and row conditions), newest verification first."""
    updates = ProgressUpdate.objects.counted().filter(filterset.items("recommendation__"), filterset.actors("actor__"))
    where, params = filterset.row_conditions_sql("x")
    if filterset.snapshot_date:
        where = (where + " AND" if where else "WHERE") + " x.as_of <= %s"
        params = [*params, filterset.snapshot_date]
    if where:
        # The row conditions are StatusFilter's own SQL (column names and placeholders); values are parameters.
        sql = f"SELECT x.id FROM {ProgressUpdate._meta.db_table} x {where}"  # noqa: S608 # nosec B608
        updates = updates.filter(pk__in=RawSQL(sql, params))  # noqa: S611 # nosec B611
    return updates.select_related("actor", "recommendation", "reported_by_organization").order_by("-reviewed_at", "-pk")


class UpdatesFeed(Feed):
    feed_type = Atom1Feed

    def title(self, source: Source):
        return source.title

    def link(self, source: Source):
        return source.link

    def subtitle(self, source: Source):
        return source.description

    def items(self, source: Source):
        return verified_updates(source.filterset)[:ENTRIES]

    def item_title(self, update):
        return _("%(code)s · %(name)s: %(status)s") % {
            "code": update.recommendation.code,
            "name": update.actor.name,
            "status": update.get_status_display(),
        }

    def item_description(self, update):
        parts = [
            # Translators: %(when)s is "as of 15 March 2017", "as of March 2017" or "as of 2017", for its precision.
            _("%(status)s %(when)s.") % {"status": update.get_status_display(), "when": update.as_of_phrase()}
        ]
        if update.value is not None:
            parts.append(
                _("Value: %(value)s %(unit)s.")
                % {"value": f"{update.value.normalize():f}", "unit": update.recommendation.unit}
            )
        if update.narrative:
            parts.append(update.narrative)
        if update.reported_by_organization:
            parts.append(_("Reported by %(name)s.") % {"name": update.reported_by_organization.name})
        if update.evidence_urls:
            parts.append(_("Evidence: %(urls)s") % {"urls": " ".join(update.evidence_urls)})
        return "\n\n".join(parts)

    def item_link(self, update):
        return update.get_absolute_url()

    def item_pubdate(self, update):
        return update.reviewed_at

    def item_updateddate(self, update):
        return update.reviewed_at

    def item_author_name(self, update):
        return update.reported_by_organization.name if update.reported_by_organization else None

    def item_categories(self, update):
        return [update.recommendation.code, update.actor.code]


def _source(query: str, title: str, link: str, description: str) -> Source:
    return Source(StatusFilter(QueryDict(query)), title, link, description)


class ItemFeed(UpdatesFeed):
    def get_object(self, request, code):
        item = get_object_or_404(Recommendation, code=code.upper())
        return _source(
            f"item={item.code}",
            _("%(code)s %(title)s: verified updates") % {"code": item.code, "title": item.title},
            item.get_absolute_url(),
            _("Progress on %(code)s, verified by the tracker's reviewers.") % {"code": item.code},
        )


class ActorFeed(UpdatesFeed):
    def get_object(self, request, code):
        actor = get_object_or_404(Actor, code__iexact=code)
        return _source(
            f"actor={actor.code}",
            _("%(name)s: verified updates") % {"name": actor.name},
            actor.get_absolute_url(),
            _("Progress of %(name)s on the calls to action, verified by the tracker's reviewers.")
            % {"name": actor.name},
        )


class ThemeFeed(UpdatesFeed):
    def get_object(self, request, slug):
        theme = get_object_or_404(Theme, slug=slug)
        return _source(
            f"theme={theme.slug}",
            _("%(name)s: verified updates") % {"name": theme.name},
            reverse("recommendations:list") + f"?theme={theme.slug}",
            _("Progress on the calls to action about %(theme)s.") % {"theme": theme.name.lower()},
        )


class ReportFeed(UpdatesFeed):
    """``/feeds/reports/?<the /reports/ query string>``; an invalid filter is a 400 with the reasons."""

    def __call__(self, request, *args, **kwargs):
        filterset = StatusFilter(request.GET or None)
        if filterset.is_bound and not filterset.is_valid():
            message = _("Invalid filter: %(errors)s") % {"errors": " ".join(filterset.error_messages())} + "\n"
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request):
        filterset = StatusFilter(request.GET or None)
        if filterset.is_bound and not filterset.is_valid():  # __call__ answered already
            raise Http404
        described = clauses(filterset.describe())
        query = request.GET.urlencode()
        return Source(
            filterset,
            _("Verified updates: %(filters)s") % {"filters": described}
            if described
            else _("Verified updates: all calls to action"),
            reverse("recommendations:report_table") + (f"?{query}" if query else ""),
            _("Progress on the calls to action of the 2006 hearings on international migration and development."),
        )
