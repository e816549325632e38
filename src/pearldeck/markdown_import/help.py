"""The import format, as `pearls import --help-format` and the README show it."""

from __future__ import annotations

FORMAT_EXAMPLE = """\
---
pathway: acute                 # default for pearls under no pathway heading
tags: [cardio, uworld]         # or a comma string: tags: cardio, uworld
source: UWorld block 12        # `--source` on the command line wins over this
---

# Acute care

## Aortic dissection

- First drug for type B dissection :: IV **beta blocker** (esmolol) #emergency
- {{c1::Esmolol}} comes before {{c2::nitroprusside}} so the heart rate falls first
- Tearing chest pain radiating to the back suggests ==aortic dissection==
  - Nested items are pearls of their own :: yes, each one
- A list item with no `::`, cloze or highlight is a note, not a pearl: skipped

## Pulmonary embolism

Q: First test for suspected PE in a stable patient with an intermediate pretest
probability?
A: D-dimer #pulm/pe

# Chronic disease management

- HbA1c target for most adults with diabetes :: < 7% #endo/diabetes
"""

FORMAT_HELP = f"""\
# Importing pearls from markdown

`pearls import notes/` reads Obsidian spaced-repetition cards, list items, `Q:`/`A:`
pairs and `## Question`/`## Answer` headings as pearls:

- `prompt::answer` (spaces around `::` optional) is a question with its answer, in a
  list item or on a line of its own; `prompt:::answer` is a pearl each way.
- A line holding only `?` between a front and a back is a multi-line card (`??`: each
  way); the back runs to the first blank line.
- `{{{{c1::hidden}}}}` is a cloze (Anki syntax); `==highlight==` becomes c1, c2, … in
  order, unless the card already has `{{{{c…}}}}` clozes; `**bold**` too with
  `--bold-cloze`. `--inline-sep`/`--multiline-sep`, or `inline-sep:`/`multiline-sep:` in
  front matter, change the separators.
- A line starting `Q:` and then a line starting `A:` is one pearl. The answer is whole:
  every paragraph, list and table after it up to the next card or heading.
  `Question:`/`Answer:` and bold `**Q:**` work too; `Q.`/`A.` do not (`A.` is an answer
  option in a vignette, or *A. baumannii*). `## Question` then `## Answer` headings work
  the same way, up to the next heading of their level.
- A heading naming a pathway (`acute`, `chronic`, `preventive`, `diagnostic`,
  `systems-based`, or `Acute care`, `Chronic disease management`, `Preventive care`,
  `Diagnostic reasoning`, `Systems-based practice`, `Ethics`, `Patient safety`) sets the
  pathway of what is under it. Other headings are the card's context
  (`Cardiology > Heart failure`), shown above its prompt.
- Front matter sets file defaults: `pathway`, `tags`, `source`; other keys are ignored.
  Pathway: heading, else front matter, else `--pathway`. Source: `--source`, else front
  matter. Tags: front matter, inline `#tags` (`#flashcards/cardio` kept whole) and `--tag`.
- Formatting is kept as pearl markup: bold, italic, code, links, lists, tables, line
  breaks; `[[note|alias]]` becomes its text; `![[x.png]]`, `![](x.png)` and `<img>` are
  copied into `media/`. `::` or `==` inside `` `code` `` or escaped (`\\::`) is text.
- `<!--SR:!2025-11-10,3,250-->` after a card carries the plugin's schedule over.
- Limits: 4 MiB and 200,000 lines a file, 20,000 characters a pearl, lists nested 9 deep.

```markdown
{FORMAT_EXAMPLE}```
"""
