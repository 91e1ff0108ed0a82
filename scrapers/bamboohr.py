"""BambooHR career sites: the list of openings, then one GET per opening for its detail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape
from jobping.normalize import NO_SALARY, believable_salary

# locationType: "0" in the office, "1" remote (the location is where one may live), "2" hybrid
_WORKPLACE = {"0": (False, False), "1": (True, False), "2": (False, True)}


class BambooHR(Scraper):
    """``GET https://{company}.bamboohr.com/careers/list``, then ``/careers/{id}/detail``.

    A target is the company's subdomain; the payloads name no company, so it stands for
    it. The list has neither description nor date: each opening's detail is fetched (in
    the domain's quota). The salary is read from the detail's free-text ``compensation``
    (its first amount or range; "OTE" and bonus parts are not base pay). A base-URL
    override may place ``{company}`` anywhere.
    """

    name = "bamboohr"
    source = "bamboohr"
    base_url = "https://{company}.bamboohr.com"
    domains = ("bamboohr.com",)
    default_targets = ("holisticai",)
    target_shape = TargetShape.SUBDOMAIN

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every opening of the list (it is not paginated), each with its detail."""
        root = ctx.base_url.replace("{company}", quote(target.value, safe=""))
        page = Item.of(await ctx.get_json(f"{root}/careers/list", params=target.params))
        jobs = ctx.detailed_jobs(
            page.req_array("result"),
            lambda item: f"{root}/careers/{quote(item.ident('id'), safe='')}/detail",
            lambda item, detail: self._job(item, detail, root, target.value),
            id_key="id",
        )
        async with aclosing(jobs):
            async for job in jobs:
                yield job

    def _job(self, listed: Item, detail: Item, root: str, company: str) -> Job:
        opening = detail.obj("result").obj("jobOpening")
        source_id = listed.ident("id")
        where = _where(opening) or _where(listed) or Item({})
        country = where.text("addressCountry") or where.text("country")
        parts = [where.text("city"), where.text("state") or where.text("province"), country]
        remote, hybrid = _WORKPLACE.get(
            opening.text("locationType") or listed.text("locationType") or "", (None, None)
        )
        salary = believable_salary(opening.text("compensation")) or NO_SALARY
        return self.job(
            source_id=source_id,
            title=opening.text("jobOpeningName") or listed.text("jobOpeningName"),
            company=company,
            url=opening.text("jobOpeningShareUrl") or f"{root}/careers/{quote(source_id)}",
            location=", ".join(part for part in parts if part) or None,
            city=where.text("city"),
            country=country,
            remote=True if listed.flag("isRemote") else remote,
            hybrid=hybrid,
            description=opening.text("description"),
            posted=opening.text("datePosted"),
            salary_min=salary.min,
            salary_max=salary.max,
            salary_currency=salary.currency,
            salary_period=salary.period,
            categories=(opening.text("departmentLabel") or listed.text("departmentLabel"),),
            employment=opening.text("employmentStatusLabel")
            or listed.text("employmentStatusLabel"),
        )


def _where(item: Item) -> Item | None:
    """The item's ``location`` or, when that names nothing, its ``atsLocation``."""
    for key in ("location", "atsLocation"):
        where = item.obj(key)
        if any(where.text(name) for name in ("city", "state", "province", "country")):
            return where
        if where.text("addressCountry"):
            return where
    return None
