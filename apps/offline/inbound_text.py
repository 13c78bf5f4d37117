"""Reading an incoming email: who it was sent to, and the visitor's own words in it.

``reply_text`` keeps what the visitor wrote above the quoted history and the signature. The
library ``mail-parser-reply`` finds English quote headers ("On … wrote:", Outlook's
"-----Original Message-----" and "From:/Sent:/To:/Subject:" blocks), "-- " signatures and
"Sent from my …"; it has no Turkish, so Turkish quote headers ("… tarihinde … yazdı:",
Outlook's "Kimden:/Gönderildi:/Kime:/Konu:", "-----Orijinal İleti-----") and mobile signatures
("iPhone'umdan gönderildi", "Android için Outlook'u edinin") are cut here first, and lines
quoted with ">" are dropped after it.
"""

import re
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from mailparser_reply.parser import EmailMessage as ReplyMessage

RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")

# Gmail in Turkish: "7 Ara 2026 Pzt 10:00 tarihinde Ad <adres> şunu yazdı:", often wrapped.
_TR_WROTE = re.compile(r"^[^\n]*\btarihinde\b(?:[^\n]*\n){0,2}?[^\n]*\byazdı:[ \t]*$", re.M)
# Outlook in Turkish: a "Kimden:" line followed by "Gönderildi:", "Tarih:", "Kime:", "Konu:"…
_TR_OUTLOOK = re.compile(
    r"^[ \t*]*Kimden:[^\n]*\n(?:[^\n]*\n){0,2}?[ \t*]*(?:Gönderildi|Gönderen|Tarih|Kime|Konu):",
    re.M | re.I,
)
_ORIGINAL = re.compile(r"^[ \t]*-{3,}[ \t]*(?:Orijinal|Özgün|Asıl)[ \t]+(?:İleti|Mesaj)", re.M)
_MOBILE_SIGNATURE = re.compile(
    r"^[ \t]*(?:"
    r"[^\n]{0,40}(?:[ıiuü]mdan|[ıiuü]mden|cihazımdan|cihazdan)[ \t]+gönderildi\.?"
    r"|(?:Android|iOS)[ \t]+için[ \t]+Outlook[^\n]{0,30}"
    r"|Sent[ \t]+from[ \t]+(?:my[ \t]+)?[\w .]{1,40}"
    r"|Get[ \t]+Outlook[ \t]+for[ \t]+\w+"
    r")[ \t]*$",
    re.M | re.I,
)
# A library signature that starts with a sign-off ("Thanks, …") is only cut when that line is
# short: "Thanks, but the order number is 123." is the message itself.
SIGN_OFF_MAX_WORDS = 4


def addresses(message: EmailMessage, headers=RECIPIENT_HEADERS) -> list[str]:
    """The addresses in the message's ``headers``, lower-cased, in order, once each."""
    values = []
    for name in headers:
        values.extend(str(value) for value in message.get_all(name) or ())
    found: list[str] = []
    for _name, address in getaddresses(values):
        address = address.strip().lower()
        if "@" in address and address not in found:
            found.append(address)
    return found


def sender(message: EmailMessage) -> str:
    """The From address, lower-cased ("" when there is none)."""
    address = parseaddr(str(message.get("From", "")))[1].strip().lower()
    return address if "@" in address else ""


class _HtmlText(HTMLParser):
    """HTML to plain text: block elements end lines; scripts, styles and quoted parts
    (``<blockquote>``, Gmail's ``gmail_quote``) are left out."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul"}
    SKIPPED = {"script", "style", "head", "title", "blockquote"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []  # the open elements of a part left out

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self.skipping or tag in self.SKIPPED or "gmail_quote" in classes:
            if tag not in self.VOID:
                self.skipping.append(tag)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if self.skipping:
            if tag in self.skipping:  # an element left open inside closes with its parent
                del self.skipping[len(self.skipping) - 1 - self.skipping[::-1].index(tag) :]
        elif tag in self.BLOCKS and tag not in self.VOID:  # <br/> ends one line, not two
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def storable(text: str) -> str:
    """``text`` as the database can keep it: no NUL, no lone surrogate."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode()


def _cut(text: str, pattern: re.Pattern) -> str:
    found = pattern.search(text)
    return text[: found.start()] if found else text


def reply_text(text: str) -> str:
    """The visitor's own words: ``text`` without quoted history and signatures."""
    text = storable(text).replace("\r\n", "\n").replace("\r", "\n")
    for pattern in (_TR_WROTE, _TR_OUTLOOK, _ORIGINAL):
        text = _cut(text, pattern)
    replies = ReplyMessage(text=text, languages=["en"], keep_hyphen_lists=True).read().replies
    if not replies or replies[0].headers:  # nothing above the first quote header
        return ""
    reply = replies[0]
    body = reply.body
    if reply.signatures:
        first = reply.signatures.strip().split("\n", 1)[0]
        if len(first.split()) > SIGN_OFF_MAX_WORDS and not first.startswith("-"):
            body = reply.full_body  # a sentence, not a sign-off: keep it
    lines = [line for line in body.split("\n") if not line.lstrip().startswith(">")]
    text = _cut("\n".join(lines), _MOBILE_SIGNATURE)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
