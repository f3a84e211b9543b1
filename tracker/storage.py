"""Static files as `collectstatic` writes them: hashed names and gzip copies (WhiteNoise), also under DEBUG.

Django's manifest storage links the plain names while DEBUG is on, which `make run` has: WhiteNoise would then
send every file with ``max-age=0``. Linking the hashed names always lets it cache them for a year
(``immutable``), as production does, so `make run` sends what production sends.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CollectedStaticStorage(CompressedManifestStaticFilesStorage):
    def url(self, name, force=False):
        return super().url(name, force=True)
