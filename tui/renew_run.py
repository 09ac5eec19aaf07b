"""Renew what is due among some managed certificates, concurrently: the work behind `cert renew`
(one certificate) and `cert renew --all` (the store), for both front ends.

Per certificate: ask ARI (bounded concurrency and time, per CA too; as often as Retry-After
allows), decide (renewal_due), and when due, renew with its own remembered settings on one
solver per distinct challenge choice, shared by every certificate that uses it (one http-01
responder for all, as `cert issue --each`). A failure is that certificate's only: its current
files stay as they were (certstore switches versions in one rename), the error goes into its
status for `cert list`, and the next run tries again. The deploy hook runs once per
certificate, after its own renewal (workflow).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tui import workflow
from tui.acme.errors import AcmeError, InputError, ProblemError, detached
from tui.inventory import Entry
from tui.renewal import SETTINGS_FILE, RenewalSettings, Status, save_settings, save_status
from tui.renewal_due import (
    NO_ARI,
    Clock,
    Decision,
    ari_failed,
    ari_said,
    ari_source,
    cached_ari,
    decide,
    iso,
    refresh_ari,
    utc_now,
)
from tui.user_paths import user_path
from tui.workflow import IssueOptions, IssueResult, SolverChoice

if TYPE_CHECKING:
    from tui.acme.challenges import Solver
    from tui.acme.client import AcmeClient

ARI_CONCURRENCY = 32  # lookups are one small GET each
# ARI is advice with the expiry rule standing in, so a lookup gets a short time of its own and
# one CA at most half of the slots: a slow CA (or a hostile one that never answers) cannot
# hold every slot for the client's whole timeout and starve the other CAs' certificates. Once a
# CA's lookup has timed out, its other certificates skip ARI for the rest of the run.
ARI_PER_CA = 16
ARI_TIMEOUT = 10.0
RENEW_CONCURRENCY = 50  # orders in flight at once: as `cert issue --each` (50 in one process)


class Clients(Protocol):
    """The front end's clients, made once per CA (and account key) and closed by it."""

    async def unsigned(self, settings: RenewalSettings) -> AcmeClient: ...

    async def signed(self, settings: RenewalSettings) -> AcmeClient:
        """A client whose account is known (looked up once per client)."""
        ...


@dataclass(frozen=True)
class Job:
    entry: Entry
    settings: RenewalSettings  # the remembered ones, with this run's overrides
    out: Path  # where the new certificate goes: the entry's folder unless --out
    save: bool = False  # write `settings` to out/renewal.toml after the renewal


@dataclass
class Outcome:
    name: str
    folder: Path
    due: bool
    renewed: bool
    next_renewal: datetime
    reason: str
    defaults: bool  # no renewal.toml: renewed (or would be) with the defaults
    error: Exception | None = None
    result: IssueResult | None = None
    ari_problem: str = ""  # a failed ARI lookup behind a "not due" decided by the expiry rule

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "name": self.name,
            "folder": str(self.folder),
            "renewed": self.renewed,
            "due": self.due,
            "next_renewal": iso(self.next_renewal),
            "error": str(self.error) if self.error else None,
        }
        if self.result is not None:
            record.update(self.result.to_json())
        return record

    def line(self, *, subproblems: bool = True) -> str:
        """One line per certificate: what a timer's log shows. `subproblems=False`: a CA's
        problem without its subproblems, which the caller says a line each (`cert renew`
        said them twice: in this line, then under it)."""
        if isinstance(self.error, ProblemError) and not subproblems:
            return f"{self.name}: renewal failed: {self.error.problem.headline()}"
        if self.error is not None:
            return f"{self.name}: renewal failed: {self.error}"
        if self.result is not None:
            extra = " (no renewal.toml: with the defaults)" if self.defaults else ""
            return f"{self.name}: renewed{extra}, expires {self.result.not_after}"
        why = f"{self.reason}; {self.ari_problem}" if self.ari_problem else self.reason
        return f"{self.name}: not due until {iso(self.next_renewal)} ({why})"


def jobs_for(
    folders: Iterable[Path], defaults: Callable[[Entry], RenewalSettings], clock: Clock = utc_now
) -> tuple[list[Job], list[Outcome]]:
    """The jobs of `cert renew --all` and of the dashboard's renew-all, one per folder, with
    `defaults` (the front end's) for a folder without renewal.toml. A folder that cannot be
    read, or whose defaults cannot be made, is that certificate's failure, not the run's: an
    Outcome saying why, alike in both front ends."""
    from tui import inventory

    jobs: list[Job] = []
    broken: list[Outcome] = []
    for folder in folders:
        try:
            entry = inventory.load_entry(folder)
            jobs.append(Job(entry, entry.settings or defaults(entry), folder))
        except (AcmeError, InputError) as exc:
            broken.append(
                Outcome(folder.name, folder, True, False, clock(), "", False, detached(exc))
            )
    return jobs, broken


@dataclass
class Run:
    clients: Clients
    clock: Clock = utc_now
    days: int | None = None
    force: bool = False
    progress: Callable[[str, str], None] = lambda _name, _line: None
    dns: dict[str, Any] = field(default_factory=dict)  # the config's [dns]: providers' options

    def __post_init__(self) -> None:
        # By repr: a SolverChoice field may be a list (not hashable), and equal choices share.
        self._solvers: dict[str, Solver] = {}
        self._ari = asyncio.Semaphore(ARI_CONCURRENCY)
        self._ari_per_ca: dict[str, asyncio.Semaphore] = {}
        self._ari_down: dict[str, str] = {}  # CA directory -> why its lookups are skipped
        self._renewing = asyncio.Semaphore(RENEW_CONCURRENCY)

    def _solver(self, choice: SolverChoice) -> Solver:
        key = repr(choice)
        if key not in self._solvers:
            # Shared by the certificates with this choice: its lines (dns-01's propagation
            # check) are the solver's, not one certificate's.
            self._solvers[key] = workflow.build_solver(
                choice, lambda line: self.progress(choice.challenge, line), self.dns
            )
        return self._solvers[key]

    async def _decide(self, job: Job) -> tuple[Decision, Status]:
        entry = job.entry
        ca = job.settings.directory
        per_ca = self._ari_per_ca.setdefault(ca, asyncio.Semaphore(ARI_PER_CA))
        async with per_ca, self._ari:  # this CA's slot first: waiting for it holds no shared one
            status = await self._lookup(job)
        decision = decide(entry.certificate, status, self.clock(), days=self.days, force=self.force)
        return decision, status

    def _say_why(self, entry: Entry, status: Status) -> None:
        """What ARI said and what the renewal goes on with: only for a certificate that is
        renewed now. A certificate not due gets its one `not due until` line and nothing else
        (a timer's log, or a user asking whether it is time)."""
        if entry.settings is None:
            self.progress(
                entry.name,
                f"no {SETTINGS_FILE} (issued before acmedash remembered settings): renewing "
                "with the defaults and this command's options; --save remembers them",
            )
        if status.ari_error:
            said = ari_said(status, self.clock(), cached=status is entry.status)
            self.progress(entry.name, f"{said}; renewing without `replaces`")
        elif status.ari_start:
            window = f"{status.ari_start} and {status.ari_end}"
            self.progress(entry.name, f"ARI suggests renewing between {window}")

    async def _lookup(self, job: Job) -> Status:
        """The kept answer while it holds (entry.status itself: what _say_why calls cached);
        else the CA's. A failure is kept too, a timeout's as well (renewal_due.ari_failed)."""
        entry, ca, source = job.entry, job.settings.directory, ari_source(job.settings)
        certificate, now = entry.certificate, self.clock()
        if cached_ari(certificate, entry.status, now, source):
            return entry.status
        if ca in self._ari_down:
            return ari_failed(certificate, entry.status, now, source, self._ari_down[ca])
        try:
            async with asyncio.timeout(ARI_TIMEOUT):
                client = await self.clients.unsigned(job.settings)
                return await refresh_ari(client, certificate, entry.status, now, source)
        except TimeoutError:
            late = f"no answer within {ARI_TIMEOUT:g} s"
            self._ari_down[ca] = f"ARI lookup skipped (this CA gave {late} in this run)"
            why = f"ARI lookup failed ({late})"
            return ari_failed(certificate, entry.status, now, source, why)
        except (AcmeError, InputError) as exc:  # no client for that CA: no ARI, go on
            why, ours = f"ARI lookup failed ({str(exc)[:300]})", isinstance(exc, InputError)
            return ari_failed(certificate, entry.status, now, source, why, keep=not ours)

    async def _renew(self, job: Job, decision: Decision) -> IssueResult:
        settings, entry = job.settings, job.entry
        reuse = entry.folder / "privkey.pem" if settings.reuse_key else None
        names, csr = settings.names or workflow.renewal_names(entry.certificate), None
        if settings.csr:  # the user's own CSR, read again: its names are what is ordered
            from tui.acme.csr import read_csr_file

            csr, given = await asyncio.to_thread(read_csr_file, user_path(settings.csr))
            names = workflow.ordered_names(given)
        options = IssueOptions(
            names=names,
            csr=csr,
            out=job.out,
            key_type=settings.key_type,
            profile=settings.profile,
            replaces=decision.replaces,
            preferred_chain=settings.preferred_chain,
            deploy_hook=settings.deploy_hook,
            reuse_key=reuse,
        )
        workflow.check_names(options.names, settings.challenge.challenge)
        async with self._renewing:
            solver = self._solver(settings.challenge)
            client = await self.clients.signed(settings)
            return await workflow.issue_shared(
                client, solver, options, lambda line: self.progress(entry.name, line)
            )

    async def _one(self, job: Job) -> Outcome:
        entry = job.entry
        decision, status = await self._decide(job)
        outcome = Outcome(
            entry.name, entry.folder, decision.due, False, decision.when, decision.reason,
            entry.settings is None,
        )  # fmt: skip
        if not decision.due:
            if status.ari_error != NO_ARI:  # why the expiry rule decided, not ARI
                outcome.ari_problem = ari_said(status, self.clock(), cached=status is entry.status)
            if status != entry.status:
                await asyncio.to_thread(save_status, entry.folder, status)
            return outcome
        self._say_why(entry, status)
        try:
            result = await self._renew(job, decision)
        except Exception as exc:
            error = str(exc)[:500]
            failed = replace(
                status, last_attempt=iso(self.clock()), last_result="failed", last_error=error
            )
            await asyncio.to_thread(save_status, entry.folder, failed)
            outcome.error = detached(exc)
            return outcome
        renewed = Status(
            serial=result.serial, last_attempt=iso(self.clock()), last_result="renewed"
        )
        await asyncio.to_thread(self._after, job, renewed)
        certificate = workflow.load_certificate_file(result.cert)
        outcome.renewed, outcome.result = True, result
        outcome.next_renewal = decide(certificate, renewed, self.clock(), days=self.days).when
        return outcome

    @staticmethod
    def _after(job: Job, status: Status) -> None:
        save_status(job.out, status)
        if job.save:
            save_settings(job.out, job.settings)

    async def run(self, jobs: list[Job]) -> list[Outcome]:
        """Every job's outcome, in the jobs' order; closes the solvers."""
        try:
            outcomes = await asyncio.gather(*(self._one(job) for job in jobs))
        finally:
            for solver in self._solvers.values():
                await solver.close()
        return list(outcomes)
