"""Which staff PINs and passphrases are acceptable: long enough, and not one everyone tries first."""

from __future__ import annotations

from intake.domain.errors import Coded

MIN_PIN_DIGITS = 6
MIN_PASSPHRASE = 8
MAX_SECRET = 200

# Tried first by anyone guessing (lists of the most common PINs and passwords); digit runs and
# repeats are refused by rule below, so they need not be listed.
COMMON_PINS = frozenset(
    {
        "112233", "121212", "123321", "131313", "159753", "654321", "696969", "102030",
        "123123", "147258", "159357", "202020", "246810", "101010", "110110", "789456",
        "456123", "147852", "369369", "520520", "999888", "111222", "147369", "000001",
        "100000", "123654", "142536", "252525", "232323", "212121", "123000", "121314",
    }
)  # fmt: skip
COMMON_PASSPHRASES = frozenset(
    {
        "password", "password1", "password123", "passw0rd", "iloveyou", "sunshine",
        "qwertyuiop", "qwerty123", "letmein1", "welcome1", "welcome123", "abc12345",
        "abcdefgh", "football", "baseball", "princess", "dragon12", "monkey12",
        "trustno1", "changeme", "isotretinoin", "dermatology", "accutane", "clinic123",
    }
)  # fmt: skip

RULE = (
    f"Use a PIN of at least {MIN_PIN_DIGITS} digits or a passphrase of at least"
    f" {MIN_PASSPHRASE} characters."
)


def _repeats_a_short_run(text: str) -> bool:
    """'000000', '121212', '123123', 'abcabcabc': one short piece typed again and again."""
    n = len(text)
    return any(n % size == 0 and text == text[:size] * (n // size) for size in range(1, n // 2 + 1))


def _is_sequence(digits: str) -> bool:
    """'123456', '345678', '987654', '890123': each digit one more (or one less) than the last."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(digits, digits[1:], strict=False)}
    return steps in ({1}, {9})


def secret_problem(secret: str) -> str | None:
    """Why ``secret`` cannot be a staff PIN or passphrase, or None when it can."""
    if not secret or not secret.strip():
        return Coded(
            "Please choose a PIN or passphrase. " + RULE,
            "secret_missing",
            digits=MIN_PIN_DIGITS,
            characters=MIN_PASSPHRASE,
        )
    if len(secret) > MAX_SECRET:
        return Coded(
            f"A passphrase can have at most {MAX_SECRET} characters.",
            "secret_long",
            most=MAX_SECRET,
        )
    if secret.isascii() and secret.isdigit():
        if len(secret) < MIN_PIN_DIGITS:
            return Coded(
                f"A PIN needs at least {MIN_PIN_DIGITS} digits (or use a passphrase of at least {MIN_PASSPHRASE} characters).",
                "pin_short",
                digits=MIN_PIN_DIGITS,
                characters=MIN_PASSPHRASE,
            )
        if _repeats_a_short_run(secret) or _is_sequence(secret) or secret in COMMON_PINS:
            return Coded(
                "That PIN is one of the first anyone would try; please choose another.",
                "pin_common",
            )
        return None
    if len(secret) < MIN_PASSPHRASE:
        return Coded(
            f"A passphrase needs at least {MIN_PASSPHRASE} characters (or use a PIN of at least {MIN_PIN_DIGITS} digits).",
            "passphrase_short",
            digits=MIN_PIN_DIGITS,
            characters=MIN_PASSPHRASE,
        )
    folded = secret.strip().casefold()
    if folded in COMMON_PASSPHRASES or _repeats_a_short_run(folded):
        return Coded(
            "That passphrase is one of the first anyone would try; please choose another.",
            "passphrase_common",
        )
    return None
