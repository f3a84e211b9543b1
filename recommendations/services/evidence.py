"""Evidence files: what they may be (by content), how large."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# What an evidence file may be, decided by its content, not its name.
EVIDENCE_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}


def upload_limit_mb() -> int:
    """The size limit of an uploaded file (evidence or import spreadsheet), in MB: settings.EVIDENCE_MAX_MB."""
    return settings.EVIDENCE_MAX_MB


def check_upload_size(upload) -> None:
    """Refuse an uploaded file larger than the limit, saying both sizes."""
    limit = upload_limit_mb()
    if upload.size > limit * 1_048_576:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{upload.size / 1_048_576:.1f}", "limit": limit},
            code="too_large",
        )


def inspect_evidence_file(upload) -> str:
    """Check an uploaded evidence file's size and real type; return its extension."""
    check_upload_size(upload)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in EVIDENCE_TYPES:
        raise ValidationError(
            _(
                "This file is not a PDF, an image (PNG, JPEG, GIF, WebP) or an office document "
                "(Word, Excel, PowerPoint, OpenDocument), judging by its content."
            ),
            code="bad_type",
        )
    return kind.mime
