"""Reading JSONPath text into its syntax tree (``path_tree``), following Jayway's grammar: ``$``,
``$$`` or ``$name`` roots, dot and bracket names, indices, index unions, slices, wildcards, deep
scans (``..``), filters (``[?(...)]``) and a trailing function such as ``length()``. Syntax errors
raise ``InvalidPath``, with Jayway's wording where it is known."""

from __future__ import annotations

from stepwell.asl.paths import tree as tree
from stepwell.asl.paths.errors import InvalidPath


def parse_path_syntax(
    text: str, check_filter: tree.FilterCompiler, allow_item_root: bool = False
) -> tree.ParsedPath:
    """The syntax tree of a path. ``check_filter`` compiles each filter expression as it is met, so
    that a filter's syntax error is reported in its place; ``allow_item_root`` admits the ``@``
    root of paths inside filters. Raises InvalidPath."""
    return _PathParser(text, allow_item_root, check_filter).parse()


class _PathParser:
    """A recursive-descent reader of Jayway's path grammar."""

    def __init__(self, text: str, allow_item_root: bool, check_filter: tree.FilterCompiler):
        self.text = text
        self.pos = 0
        self.allow_item_root = allow_item_root
        self.check_filter = check_filter

    def fail(self, message: str) -> InvalidPath:
        return InvalidPath(f"Invalid JSONPath '{self.text}': {message}")

    def parse(self) -> tree.ParsedPath:
        root = self.read_root()
        selectors: list[tree.Selector] = []
        function: tree.Function | None = None
        text, n = self.text, len(self.text)
        while self.pos < n:
            if function is not None:
                raise self.fail(f"a function must end the path (position {self.pos}).")
            c = text[self.pos]
            if c == ".":
                if text.startswith("..", self.pos):
                    self.pos += 2
                    if self.pos >= n:
                        raise self.fail("Path must not end with a '.' or '..'")
                    target = self.read_after_scan()
                    selectors.append(tree.Scan(target))
                    continue
                self.pos += 1
                if self.pos >= n:
                    raise self.fail("Path must not end with a '.' or '..'")
                c = text[self.pos]
                if c == ".":
                    raise self.fail(f"Character '.' on position {self.pos} is not valid.")
                if c == "[":
                    continue
                if c == "*":
                    self.pos += 1
                    selectors.append(tree.Wildcard())
                    continue
                token = self.read_dot_name()
                if isinstance(token, tree.Function):
                    function = token
                else:
                    selectors.append(token)
            elif c == "[":
                selectors.append(self.read_bracket())
            else:
                raise self.fail(f"Could not parse token starting at position {self.pos}.")
        if function is None and selectors:
            # Jayway merges a name union into one object when it is the last token.
            last = selectors[-1]
            if isinstance(last, tree.NameUnion):
                selectors[-1] = tree.NameUnion(last.keys, merge=True)
            elif isinstance(last, tree.Scan) and isinstance(last.target, tree.NameUnion):
                selectors[-1] = tree.Scan(tree.NameUnion(last.target.keys, merge=True))
        definite = all(
            isinstance(s, tree.Name | tree.Index) or (isinstance(s, tree.NameUnion) and s.merge)
            for s in selectors
        )
        return tree.ParsedPath(root, tuple(selectors), function, definite)

    def read_root(self) -> str:
        text = self.text
        if text.startswith("$$"):
            self.pos = 2
            return "$$"
        if self.allow_item_root and text.startswith("@"):
            self.pos = 1
            return "@"
        if not text.startswith("$"):
            raise self.fail("a path must start with '$'.")
        end = 1
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        self.pos = end
        name = text[1:end]
        if not name:
            return "$"
        if name[0].isdigit():
            raise self.fail("a variable name must not start with a digit.")
        return name

    def read_after_scan(self) -> tree.Selector:
        c = self.text[self.pos]
        if c == "[":
            return self.read_bracket()
        if c == "*":
            self.pos += 1
            return tree.Wildcard()
        token = self.read_dot_name()
        if isinstance(token, tree.Function):
            raise self.fail("a deep scan must be followed by a name, '*' or '['.")
        return token

    def read_dot_name(self) -> tree.Name | tree.Function:
        """Jayway: a dot name runs to the next '.', '[' or '('; a blank is an error."""
        text, start = self.text, self.pos
        end = start
        while end < len(text) and text[end] not in ".[(":
            if text[end] == " ":
                raise self.fail(
                    "Use bracket notion ['my prop'] if your property contains blank characters. "
                    f"position: {end}"
                )
            end += 1
        name = text[start:end]
        if not name:
            raise self.fail(f"Could not parse token starting at position {start}.")
        if end < len(text) and text[end] == "(":
            if not text.startswith("()", end):
                raise self.fail(f"function '{name}' takes no arguments here.")
            if name not in tree.FUNCTIONS:
                raise self.fail(f"Function with name: {name} does not exist.")
            self.pos = end + 2
            return tree.Function(name)
        self.pos = end
        return tree.Name(name)

    def skip_blanks(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def expect_close(self) -> None:
        self.skip_blanks()
        if self.pos >= len(self.text) or self.text[self.pos] != "]":
            raise self.fail(f"expected ']' at position {self.pos}.")
        self.pos += 1

    def read_bracket(self) -> tree.Selector:
        self.pos += 1  # '['
        self.skip_blanks()
        if self.pos >= len(self.text):
            raise self.fail("Property has not been closed - missing closing ]")
        c = self.text[self.pos]
        if c in "'\"":
            return self.read_bracket_names(c)
        if c == "*":
            self.pos += 1
            self.expect_close()
            return tree.Wildcard()
        if c == "?":
            return self.read_filter()
        return self.read_array_spec()

    def read_bracket_names(self, quote: str) -> tree.Name | tree.NameUnion:
        # A backslash protects the next character from ending the name but stays in it: AWS
        # matches "$['Test\\"Name']" against the key `Test\"Name` (recorded escape-sequence case).
        text, i = self.text, self.pos
        names: list[str] = []
        start = i
        in_name = escaped = after_comma = False
        while i < len(text):
            c = text[i]
            if in_name:
                if escaped:
                    escaped = False
                elif c == "\\":
                    escaped = True
                elif c == quote:
                    names.append(text[start:i])
                    in_name = False
            elif c == quote:
                if len(names) > 0 and not after_comma:
                    raise self.fail(
                        "Property must be separated by comma or Property must be terminated close "
                        f"square bracket at index {i}"
                    )
                start, in_name, after_comma = i + 1, True, False
            elif c == ",":
                if after_comma or not names:
                    raise self.fail(f"Found empty property at index {i}")
                after_comma = True
            elif c == "]":
                if after_comma:
                    raise self.fail(f"Found empty property at index {i}")
                break
            elif c != " ":
                raise self.fail(
                    "Property must be separated by comma or Property must be terminated close "
                    f"square bracket at index {i}"
                )
            i += 1
        if i >= len(text) or in_name:
            raise self.fail("Property has not been closed - missing closing ]")
        self.pos = i + 1
        if len(names) == 1:
            return tree.Name(names[0])
        return tree.NameUnion(tuple(names), merge=False)

    def read_array_spec(self) -> tree.Index | tree.IndexUnion | tree.Slice:
        end = self.text.find("]", self.pos)
        if end < 0:
            raise self.fail("Property has not been closed - missing closing ]")
        spec = self.text[self.pos : end].strip()
        self.pos = end + 1
        if not spec or any(c not in "0123456789-:, " for c in spec):
            raise self.fail(f"Failed to parse array index or slice: '[{spec}]'")
        try:
            if ":" in spec:
                first, _, second = spec.partition(":")
                if ":" in second or "," in spec or not (first.strip() or second.strip()):
                    raise ValueError(spec)
                return tree.Slice(
                    int(first) if first.strip() else None, int(second) if second.strip() else None
                )
            indices = tuple(int(part) for part in spec.split(","))
        except ValueError:
            raise self.fail(f"Failed to parse array index or slice: '[{spec}]'") from None
        return tree.Index(indices[0]) if len(indices) == 1 else tree.IndexUnion(indices)

    def read_filter(self) -> tree.Filter:
        text = self.text
        self.pos += 1  # '?'
        self.skip_blanks()
        if self.pos >= len(text) or text[self.pos] != "(":
            raise self.fail(f"expected '(' after '[?' at position {self.pos}.")
        close = matching_bracket(text, self.pos, "(", ")")
        if close < 0:
            raise self.fail("Could not find matching close for ( in filter.")
        expression = text[self.pos + 1 : close]
        self.pos = close + 1
        self.expect_close()
        self.check_filter(expression)  # report syntax errors now
        return tree.Filter(expression)


def matching_bracket(text: str, open_at: int, opening: str, closing: str) -> int:
    """The index of the bracket closing the one at ``open_at``, skipping quoted strings and
    /regex/ literals; -1 when there is none."""
    depth = 0
    i = open_at
    while i < len(text):
        c = text[i]
        if c in "'\"" or (c == "/" and opening == "("):
            i = skip_quoted(text, i)
            if i < 0:
                return -1
        elif c == opening:
            depth += 1
        elif c == closing:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def skip_quoted(text: str, start: int) -> int:
    """The index of the quote closing the one at ``start`` (backslash escapes), or -1."""
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    return -1
