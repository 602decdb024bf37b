"""DNS messages for the checker: queries built and replies read in a few microseconds.

Why not dnspython's `Message`: building one query and parsing one reply cost about 0.4 ms of
Python, which held one process to some 2,000 queries a second. The checker needs one question per
query and four facts per reply, so this module builds the query bytes itself and reads a reply
without building objects. dnspython still turns a domain that is not plain ASCII letters, digits
and hyphens into its wire form (IDNA, escapes, and the errors it raises for a bad name), so a name
is refused exactly as before.

`read_reply` decides what dnspython's stub resolver (`Resolver.resolve`, as the checker used it)
would have made of the same bytes, in the same order:

- not an answer to our question (QR unset, another opcode, another question) or malformed wire:
  ignored, the query keeps waiting (dnspython's `ignore_errors`), so a stray or spoofed packet
  cannot end it;
- TC set on an answer to our question: TRUNCATED (ask again over TCP);
- an rcode other than NOERROR, NXDOMAIN and YXDOMAIN (SERVFAIL, FORMERR, ...), a chain of 16 or
  more CNAMEs, more than one question, or an answer for an NXDOMAIN: FAILED (this nameserver has
  no answer; try the next); REFUSED the same, told apart because the checker may ask again;
- YXDOMAIN: YXDOMAIN; NXDOMAIN: NXDOMAIN;
- NOERROR: FOUND when the records of the asked type exist at the name or at the end of its CNAME
  chain (for MX, at least one exchange other than "."), NULL_MX when every MX exchange is "."
  (RFC 7505), NO_ANSWER when there is no such record.

Records are checked as dnspython checks them where the checker reads them (A, AAAA, MX, CNAME,
NS, SOA and the OPT record); the rdata of other types is only bounded by its length.
tests/test_dns_parity.py compares these outcomes with dnspython's on generated replies.
"""

from __future__ import annotations

import re
import struct

import dns.name

# Outcomes of `read_reply`.
FOUND = 0
NULL_MX = 1
NO_ANSWER = 2
NXDOMAIN = 3
FAILED = 4
TRUNCATED = 5
YXDOMAIN = 6
REFUSED = 7  # a FAILED that says "refused": dnsmasq's answer when it has too many queries open

TYPE_A = 1
TYPE_NS = 2
TYPE_CNAME = 5
TYPE_SOA = 6
TYPE_MX = 15
TYPE_AAAA = 28
TYPE_OPT = 41
TYPE_TSIG = 250
RDTYPES = {"A": TYPE_A, "AAAA": TYPE_AAAA, "MX": TYPE_MX}
CLASS_IN = 1

_RCODE_NOERROR, _RCODE_NXDOMAIN, _RCODE_REFUSED, _RCODE_YXDOMAIN = 0, 3, 5, 6
# Error rcodes after which dnspython accepts a reply with an empty question section as ours.
_QUESTIONLESS_RCODES = frozenset({1, 2, 4, 5})  # FORMERR, SERVFAIL, NOTIMP, REFUSED
_MAX_CHAIN = 16  # dnspython's dns.message.MAX_CHAIN
_FLAG_QR, _FLAG_TC, _FLAG_RD = 0x8000, 0x0200, 0x0100
_ROOT = b"\x00"

_HEADER = struct.Struct("!HHHHHH")
_TYPE_CLASS = struct.Struct("!HH")
_RR = struct.Struct("!HHIH")
# A name dnspython would read the same way as this module: ASCII labels of letters, digits,
# hyphens and underscores, 1 to 63 characters each, an optional final dot.
_PLAIN_NAME = re.compile(r"(?:[A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?")


class Malformed(Exception):
    """Bytes that dnspython would refuse to read as a DNS message."""


def name_wire(domain: str) -> bytes:
    """The uncompressed wire form of `domain` as an absolute name (case kept).

    Plain ASCII names are encoded here; anything else goes through `dns.name.from_text`, so IDNA,
    escapes and its exceptions (EmptyLabel, LabelTooLong, NameTooLong, IDNAException) are
    dnspython's own. Raises a `dns.exception.DNSException` for a name DNS cannot carry.
    """
    if len(domain) <= 253 and _PLAIN_NAME.fullmatch(domain):
        labels = domain.rstrip(".").split(".")
        return b"".join(bytes((len(label),)) + label.encode("ascii") for label in labels) + _ROOT
    return dns.name.from_text(domain).to_wire()


def build_query(query_id: int, qname: bytes, rdtype: int, edns_payload: int | None = None) -> bytes:
    """A recursive query (RD set) for (qname, rdtype, IN), with an OPT record when asked."""
    question = qname + _TYPE_CLASS.pack(rdtype, CLASS_IN)
    if edns_payload is None:
        return _HEADER.pack(query_id, _FLAG_RD, 1, 0, 0, 0) + question
    opt = _ROOT + _RR.pack(TYPE_OPT, edns_payload, 0, 0)
    return _HEADER.pack(query_id, _FLAG_RD, 1, 0, 0, 1) + question + opt


def reply_id(data: bytes) -> int | None:
    """The query id of a datagram, None when it is too short to be a DNS message."""
    return (data[0] << 8) | data[1] if len(data) >= 12 else None


def read_name(data: bytes, pos: int, end: int) -> tuple[bytes, int]:
    """(lower-case uncompressed wire form, offset after the name) of the name at `pos`.

    Follows compression pointers with dnspython's rules: each points strictly before the previous
    one and the name it continues may not run into it; labels of type 01 and 10 are refused; the
    name is at most 255 bytes. Reading stops at `end` (the end of an rdata).
    """
    out = bytearray()
    biggest = start = pos
    after = -1
    limit = end
    while True:
        if pos >= limit:
            raise Malformed("name runs past its end")
        count = data[pos]
        pos += 1
        if count == 0:
            break
        if count < 64:
            if pos + count > limit:
                raise Malformed("label runs past its end")
            out += data[pos - 1 : pos + count]
            pos += count
        elif count >= 192:
            if pos >= limit:
                raise Malformed("pointer runs past its end")
            target = ((count & 0x3F) << 8) | data[pos]
            pos += 1
            if after < 0:
                after = pos
            if target >= biggest:
                raise Malformed("compression pointer does not point backwards")
            biggest = target
            limit = min(limit, start)
            pos = start = target
        else:
            raise Malformed("unknown label type")
    out += _ROOT
    if len(out) > 255:
        raise Malformed("name longer than 255 bytes")
    return bytes(out).lower(), pos if after < 0 else after


def _check_rdata(data: bytes, rdtype: int, rclass: int, pos: int, end: int) -> bytes | None:
    """Validate the rdata of the types the checker reads; the target name of CNAME and MX."""
    if rdtype == TYPE_A and rclass == CLASS_IN:
        if end - pos != 4:
            raise Malformed("A rdata is not 4 bytes")
    elif rdtype == TYPE_AAAA and rclass == CLASS_IN:
        if end - pos != 16:
            raise Malformed("AAAA rdata is not 16 bytes")
    elif rdtype in (TYPE_MX, TYPE_CNAME, TYPE_NS):
        start = pos + 2 if rdtype == TYPE_MX else pos
        if start > end:
            raise Malformed("MX rdata too short")
        target, after = read_name(data, start, end)
        if after != end:
            raise Malformed("rdata longer than its name")
        return target
    elif rdtype == TYPE_SOA:
        _, pos = read_name(data, pos, end)
        _, pos = read_name(data, pos, end)
        if end - pos != 20:
            raise Malformed("SOA rdata has no room for its five numbers")
    return None


def read_reply(data: bytes, question: bytes, rdtype: int) -> int | None:
    """What `data` says about our query; None when it is not an answer to it (ignore it).

    `question` is our question section (qname in lower case, type, class); `rdtype` its type.
    The caller has matched the id and the nameserver's address.
    """
    try:
        return _read_reply(data, question, rdtype)
    except (Malformed, IndexError, struct.error):
        return None


def _read_reply(data: bytes, question: bytes, rdtype: int) -> int | None:
    _, flags, qdcount, ancount, nscount, arcount = _HEADER.unpack_from(data)
    if not flags & _FLAG_QR or flags & 0x7800:  # not a response, or not a standard query
        return None
    questions = 0  # read in full so far
    questions_match = True
    records: list[tuple[bytes, int, int, bytes | None]] = []  # answer: (owner, type, class, target)
    ext_rcode = 0
    try:
        pos = 12
        for _ in range(qdcount):
            qname, pos = read_name(data, pos, len(data))
            if pos + 4 > len(data):
                raise Malformed("question runs past the message")
            if qname + data[pos : pos + 4] != question:
                questions_match = False
            pos += 4
            questions += 1
        ext_rcode = _read_records(data, pos, (ancount, nscount, arcount), records)
    except (Malformed, IndexError, struct.error):
        if not flags & _FLAG_TC:
            raise
        # dnspython hands a truncated message on as far as it could read it.
        return _truncated(flags & 0xF, questions, questions_match)
    rcode = (flags & 0xF) | ext_rcode
    if flags & _FLAG_TC:
        return _truncated(rcode, questions, questions_match)
    if qdcount == 0:
        return _failure(rcode) if rcode in _QUESTIONLESS_RCODES else None
    if not questions_match:
        return None
    if rcode not in (_RCODE_NOERROR, _RCODE_NXDOMAIN):
        return YXDOMAIN if rcode == _RCODE_YXDOMAIN else _failure(rcode)
    if qdcount != 1:
        return FAILED  # dnspython's Answer refuses a reply with more than one question
    return _resolve_chain(records, question[:-4], rdtype, rcode)


def _failure(rcode: int) -> int:
    return REFUSED if rcode == _RCODE_REFUSED else FAILED


def _truncated(rcode: int, questions: int, questions_match: bool) -> int | None:
    """TRUNCATED when a message with TC set is an answer to our question (`is_response`)."""
    if questions == 0:
        return TRUNCATED if rcode in _QUESTIONLESS_RCODES else None
    return TRUNCATED if questions_match else None


def _read_records(
    data: bytes,
    pos: int,
    counts: tuple[int, int, int],
    answers: list[tuple[bytes, int, int, bytes | None]],
) -> int:
    """Read answer, authority and additional records to the end of the message; collect the
    answer section in `answers`; return the extended rcode bits of the OPT record."""
    ext_rcode = 0
    seen_opt = False
    for section, count in enumerate(counts):
        for _ in range(count):
            owner, pos = read_name(data, pos, len(data))
            rtype, rclass, ttl, rdlen = _RR.unpack_from(data, pos)
            pos += 10
            end = pos + rdlen
            if end > len(data):
                raise Malformed("rdata runs past the message")
            if rtype == TYPE_OPT:
                if section != 2 or seen_opt or owner != _ROOT:
                    raise Malformed("misplaced OPT record")
                seen_opt = True
                ext_rcode = (ttl >> 20) & 0xFF0
            elif rtype == TYPE_TSIG:
                raise Malformed("a signed reply to an unsigned query")
            target = _check_rdata(data, rtype, rclass, pos, end)
            if section == 0:
                answers.append((owner, rtype, rclass, target))
            pos = end
    if pos != len(data):
        raise Malformed("trailing bytes")
    return ext_rcode


def _resolve_chain(
    records: list[tuple[bytes, int, int, bytes | None]], qname: bytes, rdtype: int, rcode: int
) -> int:
    """dnspython's `Message.resolve_chaining` followed by the checker's reading of the answer."""
    name = qname
    hops = 0
    found: list[bytes | None] | None = None
    while hops < _MAX_CHAIN:
        matches = [t for o, rt, rc, t in records if o == name and rt == rdtype and rc == CLASS_IN]
        if matches:
            found = matches
            break
        # CNAME is a singleton type: dnspython keeps the last of several at one name.
        cnames = [
            t for o, rt, rc, t in records if o == name and rt == TYPE_CNAME and rc == CLASS_IN
        ]
        if not cnames:
            break
        name = cnames[-1]
        hops += 1
    if hops >= _MAX_CHAIN:
        return FAILED  # ChainTooLong
    if rcode == _RCODE_NXDOMAIN:
        return FAILED if found is not None else NXDOMAIN  # AnswerForNXDOMAIN
    if found is None:
        return NO_ANSWER
    if rdtype == TYPE_MX and all(target == _ROOT for target in found):
        return NULL_MX
    return FOUND
