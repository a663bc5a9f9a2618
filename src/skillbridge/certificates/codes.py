"""Verification codes (查验码): 11 random characters and a Luhn mod N check character.

The alphabet has 32 characters without 0/O, 1/I (easily confused when typed from paper): 11 random
characters give 55 bits, so codes cannot be guessed, and the check character rejects a mistyped code
(any single wrong character, most swaps of neighbours) before the database is asked.
"""

import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
N = len(ALPHABET)
RANDOM_LENGTH = 11
LENGTH = RANDOM_LENGTH + 1


def check_character(body: str) -> str:
    """Luhn mod N over `body` (characters of ALPHABET)."""
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // N + addend % N
    return ALPHABET[(N - total % N) % N]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_character(body)


def normalise(text: str) -> str:
    """What a person typed → the stored form: upper case, no spaces or dashes."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -\t\u3000")


def is_well_formed(code: str) -> bool:
    """Right length, alphabet and check character (says nothing about whether it exists)."""
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return False
    return check_character(code[:-1]) == code[-1]


def display(code: str) -> str:
    """XXXX-XXXX-XXXX for print."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
