"""Hooks the tracker's pages use: the follow button (with the Atom feed link) and the list of due pairs."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from languages.names import actor_name, shown
from recommendations.models import Actor, Membership, Recommendation, Theme

from .. import reminders
from ..models import Follow

register = template.Library()


@register.inclusion_tag("alerts/_follow.html", takes_context=True)
def follow_button(context, target):
    """A follow/unfollow form that works without JavaScript, and the target's Atom feed."""
    request = context["request"]
    if isinstance(target, Recommendation):
        kind, key, feed = "item", target.code, reverse("alerts:item_feed", args=[target.code])
        name = target.code
    elif isinstance(target, Actor):
        kind, key, feed = "actor", target.code, reverse("alerts:actor_feed", args=[target.code])
        name = actor_name(target)  # the screen reader's words, in the page's language
    elif isinstance(target, Theme):
        kind, key, feed = "theme", target.slug, reverse("alerts:theme_feed", args=[target.slug])
        name = _("the theme %(name)s") % {"name": shown(target, "name").text}
    else:
        raise template.TemplateSyntaxError(f"cannot follow a {type(target).__name__}")
    user = request.user
    following = user.is_authenticated and Follow.objects.filter(user=user).of_target(target).exists()
    return {
        "request": request,
        "user": user,
        "kind": kind,
        "key": key,
        "name": name,
        "feed": feed,
        "following": following,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("alerts/_due.html", takes_context=True)
def due_list(context, who, heading=None):
    """The pairs due for a new update that an organization (or a person's organizations) answers for.

    Each row links to the log form on that pair. ``who`` is an organization (Actor) or a user.
    """
    ids = (
        [who.pk]
        if isinstance(who, Actor)
        else Membership.objects.filter(user=who).values_list("organization_id", flat=True)
    )
    rows, total = reminders.due_for_organizations(ids, limit=50)
    return {
        "rows": rows,
        "total": total,
        "heading": heading or _("Due for an update"),
        "progress_url": reverse("recommendations:progress_new"),
        "perms": context.get("perms"),
    }
