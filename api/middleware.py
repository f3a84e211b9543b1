"""CORS for the public API and the open-data downloads: any site may GET them, none may write.

Simple GETs get ``Access-Control-Allow-Origin: *`` (which browsers never combine with cookies or
credentials); a preflight is answered for GET and HEAD only, without ``Authorization`` among the allowed
headers, so a web page elsewhere can read public data but can never send a token or write.
"""

from django.http import HttpResponse

PUBLIC_PREFIXES = ("/api/", "/data/")
SAFE = ("GET", "HEAD")
EXPOSED = "ETag, Last-Modified, Link, Retry-After"


class PublicCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            response = HttpResponse(status=204)
            if request.META["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] in SAFE:
                response["Access-Control-Allow-Origin"] = "*"
                response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
                response["Access-Control-Allow-Headers"] = "Accept, If-None-Match, If-Modified-Since"
                response["Access-Control-Max-Age"] = "86400"
            return response
        response = self.get_response(request)
        if request.method in SAFE and "HTTP_AUTHORIZATION" not in request.META:
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = EXPOSED
        return response
