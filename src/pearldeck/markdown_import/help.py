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

`pearls import notes.md` reads every list item and every `Q:`/`A:` pair as a pearl:

- `prompt :: answer` is a question with its answer (the first ` :: ` outside a cloze).
- `{{{{c1::hidden}}}}` is a cloze (Anki syntax); `==highlight==` becomes c1, c2, … in
  order, unless the item already has `{{{{c…}}}}` clozes.
- A line starting `Q:` and then a line starting `A:` is one pearl; either may run on over
  further lines, and a blank line may separate them. A blank line after the answer ends
  it. `Question:`/`Answer:` and bold `**Q:**` work too; `Q.`/`A.` do not (`A.` is an
  answer option in a vignette, or *A. baumannii*).
- Nested list items are pearls of their own. Anything else (prose, a `::` line that is
  not a list item, code, tables) is skipped and counted.
- A heading naming a pathway (`acute`, `chronic`, `preventive`, `diagnostic`,
  `systems-based`, or `Acute care`, `Chronic disease management`, `Preventive care`,
  `Diagnostic reasoning`, `Systems-based practice`, `Ethics`, `Patient safety`) sets the
  pathway of what is under it. Any other heading tags what is under it
  (`## Heart failure` -> `heart-failure`). Either lasts until the next heading of the
  same or a higher level.
- Front matter sets file defaults: `pathway`, `tags`, `source`; other keys are ignored.
  Pathway: heading, else front matter, else `--pathway`. Source: `--source`, else front
  matter. Tags: front matter, headings, inline `#tags` and `--tag`, all kept.
- `#tag` and `#tag/sub` anywhere in a pearl become tags (lowercased) and leave the text;
  `#1`, `C#` and `` `#code` `` are not tags. Markdown markup is reduced to plain text;
  `::` or `==` inside `` `code` `` or escaped (`\\::`) is plain text too.
- Limits: 4 MiB and 200,000 lines a file, 20,000 characters a pearl, lists nested 9 deep.

```markdown
{FORMAT_EXAMPLE}```
"""
