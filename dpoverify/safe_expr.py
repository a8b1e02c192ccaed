"""Reading numbers and arithmetic expressions from untrusted text without evaluating Python.

Files (counterexamples, results) and the command line may carry exact values, some of them
irrational (a regime's ``v = sqrt(10)/5120``). ``sympy.sympify``/``parse_expr``/``eval`` would
run any Python the text holds, so nothing read from outside reaches them. This module reads
a closed grammar with a recursive-descent parser and builds the sympy expression itself::

    text   := expr [("<=" | "<" | ">=" | ">") expr]     a relation (a hypothesis) or an expression
    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("-" | "+") unary | power
    power  := atom (("^" | "**") unary)?            right-associative: 2^-1, 2**(-3)
    atom   := NUMBER | NAME | FUNC "(" expr ")" | "(" expr ")"
    FUNC   := sqrt | log | exp
    NUMBER := digits ["." digits] [("e" | "E") ["+" | "-"] digits]   (exact rational)

``NAME`` is one of the names the caller allows (a claim's parameters), read as a real sympy
symbol; ``E`` and ``pi`` are the constants (what ``sympy.sstr`` writes for them). Every limit is
checked before any big number is built: the text's length, the digits and the decimal exponent
of each number, the nesting depth, and the size of an exact power (``(10^1000)^1000`` is refused,
not computed).
"""
from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Iterable

import sympy as sp

from .claims import symbol

MAX_LENGTH = 1000  # characters of one expression
MAX_DIGITS = 400  # significant digits of one number literal
MAX_EXPONENT = 400  # |e| of a literal's decimal exponent (1e-400 is allowed, 1e401 not)
MAX_DEPTH = 50  # nested parentheses / unary signs / powers
MAX_POWER = 1000  # |exponent| of a power, and the digits an exact numeric power may have

FUNCTIONS = {"sqrt": sp.sqrt, "log": sp.log, "exp": sp.exp}
CONSTANTS = {"E": sp.E, "pi": sp.pi}

_NUMBER = re.compile(r"(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?|\.(\d+)(?:[eE]([+-]?\d+))?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(r"\s*(?:(\*\*|<=|>=)|([-+*/^()<>]))")
_RELATIONS = {"<=": sp.Le, "<": sp.Lt, ">=": sp.Ge, ">": sp.Gt}


class ExpressionError(ValueError):
    """Text outside the grammar or beyond a limit; the message says which."""


def _show(text: str, width: int = 40) -> str:
    """``text`` shortened for a one-line message."""
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= width else text[:width - 3] + "..."


def number_literal(text: str, max_digits: int = MAX_DIGITS, max_exponent: int = MAX_EXPONENT) -> Fraction:
    """An unsigned decimal literal ('880', '0.25', '1e-3', '.5') as an exact Fraction, its digits
    and exponent checked before the value is built."""
    m = _NUMBER.fullmatch(text)
    if m is None:
        raise ExpressionError(f"'{_show(text)}' is not a number")
    whole, frac, exp1, frac2, exp2 = m.groups()
    digits = ((whole or "") + (frac or "") + (frac2 or "")).lstrip("0")
    exp_text = exp1 if exp1 is not None else exp2
    if exp_text is not None and len(exp_text.lstrip("+-").lstrip("0")) > 6:
        raise ExpressionError(f"'{_show(text)}': exponent out of range (at most {max_exponent} in size)")
    exponent = int(exp_text) if exp_text is not None else 0
    if len(digits) > max_digits:
        raise ExpressionError(f"'{_show(text)}': more than {max_digits} digits")
    scale = exponent - len(frac or frac2 or "")
    if abs(exponent) > max_exponent:
        raise ExpressionError(f"'{_show(text)}': exponent out of range (at most {max_exponent} in size)")
    mantissa = int(digits or "0")
    return Fraction(mantissa * 10 ** scale) if scale >= 0 else Fraction(mantissa, 10 ** -scale)


class _Parser:
    def __init__(self, text: str, names: Iterable[str]):
        self.text = text
        self.pos = 0
        self.names = set(names)
        self.depth = 0

    def error(self, what: str) -> ExpressionError:
        return ExpressionError(f"'{_show(self.text)}': {what} at position {self.pos + 1}")

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def take(self, op: str) -> bool:
        m = _TOKEN.match(self.text, self.pos)
        if m is not None and (m.group(1) or m.group(2)) == op:
            self.pos = m.end()
            return True
        return False

    def nest(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} deep")

    def parse(self) -> sp.Basic:
        e = self.expr()
        for op, relation in _RELATIONS.items():
            if self.take(op):
                e = relation(e, self.expr())
                break
        self.skip()
        if self.pos != len(self.text):
            raise self.error(f"unexpected '{self.text[self.pos]}'")
        return e

    def expr(self) -> sp.Expr:
        e = self.term()
        while True:
            if self.take("+"):
                e = e + self.term()
            elif self.take("-"):
                e = e - self.term()
            else:
                return e

    def term(self) -> sp.Expr:
        e = self.unary()
        while True:
            if self.take("*"):
                e = e * self.unary()
            elif self.take("/"):
                d = self.unary()
                if d == 0:
                    raise self.error("division by zero")
                e = e / d
            else:
                return e

    def unary(self) -> sp.Expr:
        self.nest()
        try:
            if self.take("-"):
                return -self.unary()
            if self.take("+"):
                return self.unary()
            return self.power()
        finally:
            self.depth -= 1

    def power(self) -> sp.Expr:
        base = self.atom()
        if self.take("**") or self.take("^"):
            return _power(base, self.unary(), self)
        return base

    def atom(self) -> sp.Expr:
        self.skip()
        if self.take("("):
            self.nest()
            e = self.expr()
            self.depth -= 1
            if not self.take(")"):
                raise self.error("expected ')'")
            return e
        m = _NUMBER.match(self.text, self.pos)
        if m is not None and m.end() > self.pos:
            self.pos = m.end()
            if self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "._"):
                raise self.error("malformed number")
            return sp.Rational(number_literal(m.group(0)))
        m = _NAME.match(self.text, self.pos)
        if m is None:
            raise self.error("expected a number, a name or '('" if self.pos < len(self.text)
                             else "unexpected end")
        name = m.group(0)
        self.pos = m.end()
        if name in FUNCTIONS:
            if not self.take("("):
                raise self.error(f"expected '(' after {name}")
            self.nest()
            arg = self.expr()
            self.depth -= 1
            if not self.take(")"):
                raise self.error("expected ')'")
            return FUNCTIONS[name](arg)
        if name in self.names:
            return symbol(name)
        if name in CONSTANTS:
            return CONSTANTS[name]
        allowed = ", ".join(sorted(self.names)) or "none"
        raise ExpressionError(f"'{_show(self.text)}': unknown name '{name}' (allowed: {allowed}; functions: "
                              f"{', '.join(FUNCTIONS)})")


def _power(base: sp.Expr, exponent: sp.Expr, parser: _Parser) -> sp.Expr:
    if not exponent.is_Rational:
        raise parser.error("an exponent must be a rational number")
    if abs(exponent.p) > MAX_POWER or exponent.q > MAX_POWER:
        raise parser.error(f"exponent {exponent} out of range (numerator and denominator at most {MAX_POWER})")
    if base.is_Rational and base != 0:
        digits = max(len(str(abs(base.p))), len(str(base.q)))
        if digits * abs(exponent) / exponent.q > MAX_POWER:
            raise parser.error(f"the power would have more than {MAX_POWER} digits")
    if base == 0 and exponent < 0:
        raise parser.error("division by zero")
    return base ** exponent


def parse(text: str, names: Iterable[str] = ()) -> sp.Expr:
    """The sympy expression ``text`` denotes, with ``names`` as real symbols. Raises
    ExpressionError (a ValueError) for anything outside the grammar or its limits."""
    if not isinstance(text, str):
        raise ExpressionError(f"expected an expression as text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression of {len(text)} characters (at most {MAX_LENGTH})")
    if not text.strip():
        raise ExpressionError("empty expression")
    return _Parser(text, names).parse()


def value(x, names: Iterable[str] = ()) -> sp.Expr:
    """A JSON value as an exact sympy value: an int, a finite float (exactly, as its shortest
    decimal) or an expression text (:func:`parse`). Booleans and everything else are refused."""
    if isinstance(x, bool):
        raise ExpressionError(f"expected a number, got {x!r}")
    if isinstance(x, int):
        if x.bit_length() > MAX_POWER * 4:
            raise ExpressionError(f"integer of more than {MAX_POWER} digits")
        return sp.Integer(x)
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ExpressionError(f"{x} is not a finite number")
        return sp.Rational(repr(x))
    return parse(x, names)
