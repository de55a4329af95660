"""SLV wire formats: JSON and XML bodies, error objects and the HTML pages a CMS serves."""

from __future__ import annotations

import html
import json
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

JSON_TYPE = "application/json;charset=UTF-8"


def dumps(obj: Any) -> bytes:
    """Serialise like SLV: sorted keys, UTF-8, NaN allowed (the `nan` fault relies on it)."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False).encode("utf-8")


def json_response(obj: Any, status: int = 200) -> web.Response:
    """A JSON answer with SLV's content type."""
    return web.Response(body=dumps(obj), status=status, headers={"Content-Type": JSON_TYPE})


def error_object(code: str, label: str, message: str) -> dict[str, Any]:
    """The SLV error object (no batch fields), e.g. code "605" "Batch not found"."""
    return {
        "errorCode": code,
        "errorCodeLabel": label,
        "message": message,
        "status": "ERROR",
        "statusError": True,
        "statusOk": False,
        "value": None,
    }


def _xml_value(name: str, value: Any) -> str:
    """One XML element for a JSON value, recursively."""
    if value is None:
        return f"<{name}/>"
    if isinstance(value, dict):
        inner = "".join(_xml_value(k, v) for k, v in value.items())
        return f"<{name}>{inner}</{name}>"
    if isinstance(value, list):
        return f"<{name}>{''.join(_xml_value('item', v) for v in value)}</{name}>"
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return f"<{name}>{escape(text)}</{name}>"


def xml_response(obj: Any, root: str = "result") -> web.Response:
    """An XML answer, as SLV gives when `ser=json` is missing."""
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + _xml_value(root, obj)
    return web.Response(text=body, content_type="text/xml", charset="UTF-8")


def login_page(prefix: str, error: str | None = None) -> str:
    """The CMS login page (what unauthenticated API calls get in form mode)."""
    notice = f'<p class="error">{html.escape(error)}</p>' if error else ""
    return (
        "<!DOCTYPE html>\n<html><head><title>Streetlight.Vision - Login</title>"
        '<meta charset="utf-8"><script src="js/slv-bootstrap.js"></script></head>'
        '<body onload="document.forms[0].j_username.focus()"><div id="login">'
        f"<h1>Streetlight.Vision</h1>{notice}"
        f'<form method="post" action="{prefix}/j_security_check">'
        '<input type="text" name="j_username" autocomplete="username">'
        '<input type="password" name="j_password" autocomplete="current-password">'
        '<input type="submit" value="Log in"></form></div></body></html>\n'
    )


def error_page(status: int, title: str, detail: str) -> str:
    """A Tomcat-style HTML error page."""
    return (
        f'<!doctype html><html lang="en"><head><title>HTTP Status {status} - {title}</title>'
        f"</head><body><h1>HTTP Status {status} - {title}</h1><hr>"
        f"<p><b>Type</b> Status Report</p><p><b>Description</b> {html.escape(detail)}</p>"
        "<hr><h3>Apache Tomcat</h3></body></html>\n"
    )


def html_response(text: str, status: int = 200, **headers: str) -> web.Response:
    """An HTML answer."""
    resp = web.Response(text=text, status=status, content_type="text/html", charset="UTF-8")
    resp.headers.update(headers)
    return resp


def unauthorized() -> web.Response:
    """401 with a Basic challenge and an HTML body."""
    body = error_page(401, "Unauthorized", "This request requires HTTP authentication.")
    return html_response(body, 401, **{"WWW-Authenticate": 'Basic realm="SLV"'})


def wrong_types(batch: dict[str, Any]) -> dict[str, Any]:
    """The batch with the type drift real servers show (numbers as strings, nulls for lists)."""

    def drift(obj: Any) -> Any:
        if isinstance(obj, bool):
            return "true" if obj else "false"
        if isinstance(obj, dict):
            out: dict[str, Any] = {}
            for key, val in obj.items():
                if isinstance(val, list) and not val:
                    out[key] = None
                elif key.endswith("Count") or key == "batchProgressValue":
                    out[key] = str(val)
                else:
                    out[key] = drift(val)
            return out
        if isinstance(obj, list):
            return [drift(v) for v in obj]
        return obj

    drifted: dict[str, Any] = drift(batch)
    if str(batch.get("batchId", "")).isdigit():
        drifted["batchId"] = int(batch["batchId"])
    return drifted
