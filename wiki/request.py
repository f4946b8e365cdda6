"""The app's request class: URL-encoded forms decoded by wiki.core.formdata."""

import io

from flask import Request
from werkzeug.formparser import FormDataParser

from .core.formdata import parse_urlencoded


class FormParser(FormDataParser):
    """Werkzeug's form parser, decoding URL-encoded bodies the fast way where it can."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        body = stream.read()
        fields = parse_urlencoded(body)
        if fields is None:  # malformed, or not UTF-8: Werkzeug decides what it means
            _, form, files = super()._parse_urlencoded(
                io.BytesIO(body), mimetype, content_length, options
            )
            return stream, form, files
        return stream, self.cls(fields), self.cls()


class WikiRequest(Request):
    """Flask's request, with FormParser."""

    form_data_parser_class = FormParser
