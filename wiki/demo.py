"""Demo content, so a new wiki never starts empty: a few pages with a short history."""

from sqlalchemy import func, select

from .core.titles import parse_title
from .database import write_transaction
from .extensions import db
from .identity import UNUSABLE_PASSWORD, user_key
from .models import Page, Role, User
from .pages.service import save_page
from .talk import service as talk
from .talk.models import Topic

DEMO_AUTHORS = {
    "Maria": "Marketing lead at Bottega",
    "Luca": "Partner, runs a design studio in Turin",
    "Sam": "Customer, community manager",
}

HOME = """\
Bottega is where our company and our community **write our marketing together**.
Customers, partners and staff edit the same pages; every change is kept, and each
page has its own history you can compare version by version.

> Markets are conversations. The best marketing is shared, talked over and
> improved by the people it is for.

## Start here

- [[Spring Campaign 2026]] — the campaign we are preparing right now
- [[Bottega Studio]] — our product page
- [[FAQ]] — questions people ask us, answered by people who use us
- [[Campaigns/Press Kit]] — not written yet: be the first to start it!

## How to help

1. Create an account (it takes ten seconds).
2. Open any page and press **Edit**.
3. Write a short summary of your change and save. That's it.

Not sure? Press **Preview** to see the page before saving, or **Show changes**
to check exactly what you changed.
"""

CAMPAIGN_V1 = """\
**Goal:** reach 500 new teams that co-write their marketing.

## Message

Your customers already talk about you. Bottega lets them write with you.

## Channels

| Channel | Owner | Budget |
|---------|-------|-------:|
| Newsletter | Maria | 2,000 € |
| Partner webinars | Luca | 1,500 € |
| Community stories | Sam | 500 € |

## Timeline

- March: teaser posts
- April: launch webinar
- May: customer stories
"""

CAMPAIGN_V2 = CAMPAIGN_V1.replace(
    "- April: launch webinar\n",
    "- April: launch webinar, in English and in Italian\n",
).replace("| Partner webinars | Luca | 1,500 € |", "| Partner webinars | Luca | 1,800 € |")

CAMPAIGN_V3 = (
    CAMPAIGN_V2.replace(
        "Your customers already talk about you. Bottega lets them write with you.",
        "Your customers already talk about you. Bottega lets them write **with** you —\n"
        "in the open, with every change kept.",
    )
    + """
## Stories we want

- A bakery whose regulars rewrote its [[FAQ]] in a weekend
- A design studio that turned partner feedback into its [[Bottega Studio]] pitch

```text
Call to action: "Write the next page with us"
```
"""
)

PRODUCT_V1 = """\
Bottega Studio is the hosted edition of Bottega for marketing teams.

## What you get

- Pages anyone on your team — and your community — can improve
- Full history: compare any two versions, word by word
- Talk pages to discuss changes before they land

## Pricing

Free for communities of up to 20 editors.
"""

PRODUCT_V2 = PRODUCT_V1.replace(
    "Free for communities of up to 20 editors.",
    "Free for communities of up to 25 editors. Teams: 8 € per editor per month.",
)

FAQ_V1 = """\
## Who can edit?

Anyone with an account. Every change is kept, so nothing is ever lost.

## Can I undo a change?

Yes: open the page's **History**, compare versions, and restore the one you want.

## Is Markdown hard?

No. Write text as you would in an email; use `#` for headings and `-` for lists.
"""

FAQ_V2 = (
    FAQ_V1
    + """
## Where do I ask a question about a page?

On its discussion page. See the [[Spring Campaign 2026]] for an example of a lively one.
"""
)

CAMPAIGNS = """\
Every campaign we run together, past and planned. To start a new one,
[start a page from the Campaign brief template](/new?template=Template:Campaign_brief): it
puts the page in this category.
"""

BRIEF = """\
**Goal:** what should change, for whom, by when?

## Message

One sentence our customers would repeat.

## Channels

| Channel | Owner | Budget |
|---------|-------|-------:|
| | | |

## Timeline

- Month: step

[[Category:Campaigns]]
"""

# (title, [(author, summary, minor, text), ...]) in the order they are saved.
PAGES = [
    ("Home", [("Maria", "Welcome page", False, HOME)]),
    (
        "Spring Campaign 2026",
        [
            ("Maria", "First draft of the campaign brief", False, CAMPAIGN_V1),
            ("Luca", "Webinar in two languages; budget for interpreters", False, CAMPAIGN_V2),
            ("Sam", "Sharper message; stories we want", False, CAMPAIGN_V3),
            ("Maria", "Filed under Campaigns", True, CAMPAIGN_V3 + "\n[[Category:Campaigns]]\n"),
        ],
    ),
    ("Category:Campaigns", [("Maria", "What the category is for", False, CAMPAIGNS)]),
    ("Template:Campaign brief", [("Maria", "A starting point for briefs", False, BRIEF)]),
    (
        "Bottega Studio",
        [
            ("Maria", "Product page", False, PRODUCT_V1),
            ("Maria", "New pricing", True, PRODUCT_V2),
        ],
    ),
    (
        "FAQ",
        [
            ("Sam", "Questions from the community call", False, FAQ_V1),
            ("Luca", "Where to discuss a page", False, FAQ_V2),
        ],
    ),
]


#: Discussions on the demo pages: (page, subject, comments), each comment (author, text,
#: the index of the comment it answers, or None for the topic itself).
DISCUSSIONS = [
    (
        "Spring Campaign 2026",
        "Launch webinar: which week of April?",
        [
            (
                "Luca",
                "The second week clashes with the design fair in Milan, where half of our "
                "partners will be. Could the webinar move to the third week?",
                None,
            ),
            (
                "Maria",
                "Good catch. The third week works for the speakers; I'm asking the "
                "interpreters now.",
                0,
            ),
            (
                "Sam",
                "Better for the community too: many of us will be at the fair as well.",
                0,
            ),
        ],
    ),
    (
        "Spring Campaign 2026",
        "Which customer story opens the campaign?",
        [
            (
                "Sam",
                "Two members offered their stories: the bakery and the design studio. "
                "Which one should lead in May?",
                None,
            ),
            (
                "Maria",
                "The bakery: it shows what a small team can do in a weekend. The studio's "
                "story fits the partner newsletter.",
                0,
            ),
            ("Luca", "Agreed, and I'm happy to help the bakery with pictures.", 1),
        ],
    ),
]


def _author(name: str) -> User:
    """Return the demo author with this name, creating the account (no usable password)."""
    # A write transaction from the start: a save's background job (its words' authorship)
    # may commit between this read and the insert.
    with write_transaction():
        user = db.session.scalar(select(User).where(User.key == user_key(name)))
        if user is None:
            user = User(username=name, key=user_key(name), password_hash=UNUSABLE_PASSWORD)
            user.role = Role.EDITOR
            db.session.add(user)
    return user


def load(only_if_empty: bool = True) -> int:
    """Save the demo pages with their revisions; return how many pages were created."""
    if only_if_empty and db.session.scalar(select(func.count(Page.id))):
        return 0
    created = 0
    for title, revisions in PAGES:
        existing = db.session.scalar(select(Page).where(Page.key == parse_title(title).key))
        base = existing.latest_revision_id if existing else None
        for author, summary, minor, text in revisions:
            result = save_page(
                parse_title(title),
                text,
                author=_author(author),
                summary=summary,
                minor=minor,
                base_revision_id=base,
            )
            base = result.page.latest_revision_id
            created += result.created
    if created:
        _discuss()
    return created


def _discuss() -> None:
    """Start the demo discussions, so a talk page shows what one looks like."""
    for title, subject, comments in DISCUSSIONS:
        page = db.session.scalar(select(Page).where(Page.key == parse_title(title).key))
        started = select(Topic.id).where(Topic.page_id == page.id, Topic.subject == subject)
        if db.session.scalar(started) is not None:
            continue  # loaded again into a wiki that has it
        (first_author, first_text, _), *replies = comments
        first = talk.start_topic(page, subject, first_text, author=_author(first_author))
        posted = [first.id]
        for author, body, answers in replies:
            parent = posted[answers] if answers is not None else None
            comment = talk.reply(first.topic_id, body, author=_author(author), parent_id=parent)
            posted.append(comment.id)
