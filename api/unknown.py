"""Any other address under /api/v1/: the API's 404, in JSON like its other refusals.

Without it a mistyped endpoint (/api/v1/item/) fell through to the site's 404 page, in HTML, which a script
reading the API cannot parse. Only addresses that end in a slash are caught, so /api/v1/items still redirects
to /api/v1/items/ (CommonMiddleware's APPEND_SLASH only redirects to an address that resolves).
"""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from .language import RequestLanguageMixin


@extend_schema(exclude=True)  # not an endpoint: the schema lists the ones that exist
class UnknownAddress(RequestLanguageMixin, APIView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # the API's authentication and rate limits still apply
        raise NotFound()  # whatever the method: there is nothing here
