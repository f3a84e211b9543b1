"""An evidence file chosen on a log form that was refused is kept for the next try.

Browsers never send a chosen file twice, so a form returned with an error would silently drop it. The
file (already checked: size and real type) is stored under ``evidence-kept/`` with a generated name, and
the form carries a signed reference to it (the path, the person's name for it, and who uploaded it): the
next submission uses it unless another file is chosen. A reference only works for the person who made it,
for a day; ``sweep`` deletes kept files older than that (run by ``sweep_imports`` with the other uploads).
"""

import datetime
import uuid

from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

FOLDER = "evidence-kept"
SALT = "recommendations.kept-evidence"
MAX_AGE = datetime.timedelta(days=1)


def keep(upload, *, user) -> str:
    """Store a checked upload; return the signed reference a form carries (a hidden field)."""
    upload.seek(0)
    path = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}", upload)
    return signing.dumps({"p": path, "n": (upload.name or "evidence")[-100:], "u": user.pk}, salt=SALT)


def restore(reference: str, *, user) -> File | None:
    """The kept file a reference names, if it is this person's, recent and still there; else None."""
    try:
        data = signing.loads(reference, salt=SALT, max_age=MAX_AGE)
        path, name, owner = str(data["p"]), str(data["n"]), data["u"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    if owner != user.pk or not path.startswith(f"{FOLDER}/") or ".." in path or not default_storage.exists(path):
        return None
    return File(default_storage.open(path, "rb"), name=name)


def sweep(*, older_than: datetime.timedelta = MAX_AGE) -> int:
    """Delete kept files older than ``older_than``; returns how many."""
    cutoff = timezone.now() - older_than
    try:
        names = default_storage.listdir(FOLDER)[1]
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        path = f"{FOLDER}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    return deleted
