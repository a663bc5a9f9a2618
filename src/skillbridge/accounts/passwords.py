"""Password complexity as required of government systems (等保): three of four character classes."""

import re

from django.core.exceptions import ValidationError

CLASSES = (
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"\d"), "数字"),
    (re.compile(r"[^A-Za-z0-9]"), "特殊字符"),
)


class ComplexityValidator:
    required = 3

    def validate(self, password, user=None):
        present = sum(1 for pattern, _ in CLASSES if pattern.search(password))
        if present < self.required:
            raise ValidationError(
                "密码须包含小写字母、大写字母、数字、特殊字符中的至少三类。", code="password_too_simple"
            )

    def get_help_text(self):
        return "密码须包含小写字母、大写字母、数字、特殊字符中的至少三类。"
