#!/usr/bin/env python3
"""Generate each add-on's README.rst from its manifest and ``readme/*.md`` fragments.

The OCA template runs ``oca-gen-addon-readme`` (OCA maintainer-tools) for this; that
tool is not published on PyPI, so this is a small local equivalent: the same
fragment names (DESCRIPTION, USAGE, CONFIGURE, CONTEXT, ROADMAP, CONTRIBUTORS,
CREDITS), in the same order, under the same headings. Fragments are Markdown and
are embedded as-is in a ``.. code-block:: markdown``-free way: headings become RST
sections, everything else is copied. Exit status 1 when a README changed, so
pre-commit reports it like the original hook.
"""

import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FRAGMENTS = [
    ("CONTEXT", "Context"),
    ("DESCRIPTION", None),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("CONTRIBUTORS", "Contributors"),
    ("CREDITS", "Other credits"),
]


def md_to_rst(text):
    """Convert the little Markdown used in fragments (headings, lists, code)."""
    out = []
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            out.extend(["", ".. code-block:: text", ""] if in_code else [""])
            continue
        if in_code:
            out.append("   " + line)
        elif line.startswith("#"):
            title = line.lstrip("#").strip()
            level = "~" if line.startswith("###") else "-"
            out.extend([title, level * len(title)])
        else:
            out.append(line.replace("`", "``").replace("````", "``"))
    return "\n".join(out).strip() + "\n"


def render(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    title = manifest["name"]
    parts = [
        "=" * len(title),
        title,
        "=" * len(title),
        "",
        f"*{manifest.get('summary', '')}*",
        "",
        (
            f"Version {manifest['version']} · License {manifest['license']} · "
            f"Status {manifest.get('development_status', 'Beta')}"
        ),
        "",
        ".. contents::",
        "   :local:",
        "",
    ]
    for fragment, heading in FRAGMENTS:
        path = addon / "readme" / f"{fragment}.md"
        if not path.is_file():
            continue
        if heading:
            parts.extend([heading, "=" * len(heading), ""])
        parts.extend([md_to_rst(path.read_text()), ""])
    parts.extend(
        [
            "Maintainers",
            "===========",
            "",
            ", ".join(manifest.get("maintainers", [])) or manifest["author"],
            "",
        ]
    )
    return "\n".join(parts).rstrip() + "\n"


def main():
    changed = False
    for manifest in sorted(ROOT.glob("*/__manifest__.py")):
        addon = manifest.parent
        readme = addon / "README.rst"
        new = render(addon)
        if not readme.is_file() or readme.read_text() != new:
            readme.write_text(new)
            print(f"generated {readme.relative_to(ROOT)}")
            changed = True
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
