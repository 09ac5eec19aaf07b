"""accounts.Prompts with answers set by the test, recording every question asked: how the
account policy is driven through its library API, as a front end would drive it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ScriptedPrompts:
    terms: bool = True
    eab: tuple[str, str] | None = None
    confirm_answer: bool = True
    asked: list[str] = field(default_factory=list)

    async def agree_to_terms(self, url: str) -> bool:
        self.asked.append(f"terms {url}")
        return self.terms

    async def eab_credentials(self) -> tuple[str, str] | None:
        self.asked.append("eab")
        return self.eab

    async def confirm(self, question: str, *, typed: str = "") -> bool:
        self.asked.append(f"confirm[{typed}] {question}")
        return self.confirm_answer
