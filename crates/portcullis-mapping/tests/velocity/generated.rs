//! A deterministic generator of small templates (xorshift64, fixed seed) over a
//! grammar of references, method calls, arithmetic, conditions, `#set`, `#if`,
//! `#foreach`, macro calls, interpolated strings, escapes and whitespace. It leaves
//! out what the hand-written cases already pin as differences (a lone `$` or `#`
//! before a directive or at the end, integers past a `long`, macro arguments with
//! side effects or null, `##` right after a property, changing a collection
//! a loop walks, a loop variable reused by a nested loop), so a generated case that differs is a new finding.

pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// The values and the macro every generated case starts from.
pub(crate) const PROLOGUE: &str = "#set($s = \"Hello World\")#set($t = 'a,b,,c')\
    #set($e = '')#set($n = 7)#set($k = -3)#set($z = 0)#set($f = 2.5)#set($b = true)\
    #set($l = [1, 2, 3])#set($w = ['x', 'y'])#set($m = {\"a\": 1, \"b\": \"two\"})\
    #set($r = 0)#set($q = 'q')#set($h = {})#set($v = [1, 2, 3])#macro(wrap $x)<$x>#end";

const NUMBERS: &[&str] = &[
    "$n", "$k", "$z", "$f", "0", "1", "2", "-4", "10", "1.5", "0.5", "46341", "$m.a",
];
const STRINGS: &[&str] = &["$s", "$t", "$e", "$q", "'lit'", "\"x$n\"", "\"\"", "$m.b"];
const OTHERS: &[&str] = &[
    "$b", "$l", "$w", "$m", "true", "false", "[1, 'a']", "{'k': 1}", "$u", "$u.x",
];
const STRING_METHODS: &[&str] = &[
    "length()",
    "toUpperCase()",
    "toLowerCase()",
    "trim()",
    "isEmpty()",
    "substring(1)",
    "substring(0, 1)",
    "substring($z, $l.get(1))",
    "indexOf('o')",
    "indexOf('o', $n)",
    "lastIndexOf('l')",
    "contains('o')",
    "startsWith('H')",
    "endsWith('d')",
    "replace('l', 'L')",
    "replace(',', '')",
    "replaceAll('[aeiou]', '_')",
    "replaceFirst(',+', ';')",
    "split(',').size()",
    "split(',')[1]",
    "concat('!')",
    "concat($q)",
    "charAt(0)",
    "equals('x7')",
    "equals($q)",
    "matches('.*o.*')",
    "empty",
    "class.simpleName",
];
const LIST_METHODS: &[&str] = &[
    "size()",
    "get(0)",
    "get($z)",
    "contains(2)",
    "contains('x')",
    "isEmpty()",
    "indexOf(3)",
    "empty",
    "subList(0, 1)",
    "get(1).toString()",
];
const MAP_METHODS: &[&str] = &[
    "size()",
    "a",
    "b",
    "c",
    "get('a')",
    "get($q)",
    "containsKey('b')",
    "keySet()",
    "values()",
    "isEmpty()",
    "entrySet().size()",
    "b.length()",
];

impl Rng {
    fn number(&mut self, depth: u32) -> String {
        if depth == 0 || self.chance(3) {
            return match self.below(6) {
                0 => format!("$l.get({})", self.below(3)),
                1 => format!("$s.{}", self.pick(&["length()", "indexOf('o')"])),
                2 => format!("$l[{}]", self.below(3)),
                _ => self.pick(NUMBERS).to_string(),
            };
        }
        let op = self.pick(&["+", "-", "*", "/", "%"]);
        let (a, b) = (self.number(depth - 1), self.number(depth - 1));
        if self.chance(3) {
            format!("({a} {op} {b})")
        } else {
            format!("{a} {op} {b}")
        }
    }

    fn operand(&mut self) -> String {
        match self.below(5) {
            0 => self.pick(STRINGS).to_string(),
            1 => self.pick(OTHERS).to_string(),
            2 => format!("{} + {}", self.pick(STRINGS), self.number(0)),
            _ => self.number(1),
        }
    }

    fn reference(&mut self) -> String {
        let bang = if self.chance(5) { "!" } else { "" };
        let (open, close) = if self.chance(6) { ("{", "}") } else { ("", "") };
        let body = match self.below(8) {
            0 => self
                .pick(&["s", "t", "e", "q", "n", "f", "b", "u", "r", "l", "m"])
                .to_string(),
            1 => format!("s.{}", self.pick(STRING_METHODS)),
            2 => format!("t.{}", self.pick(STRING_METHODS)),
            3 => format!("l.{}", self.pick(LIST_METHODS)),
            4 => format!("m.{}", self.pick(MAP_METHODS)),
            5 => format!("q.{}", self.pick(STRING_METHODS)),
            6 => self
                .pick(&["w[1]", "w[-1]", "l[$z]", "m['a']", "m[$q]"])
                .to_string(),
            _ => self
                .pick(&["u.x", "u.x()", "m.b.x", "w.get(5)"])
                .to_string(),
        };
        format!("${bang}{open}{body}{close}")
    }

    fn condition(&mut self, depth: u32) -> String {
        if depth == 0 || self.chance(2) {
            return match self.below(5) {
                0 => self
                    .pick(&["$b", "$u", "!$b", "$e", "$l", "$m.c", "$z", "$q", "$m.a"])
                    .to_string(),
                1 => format!("$s.{}", self.pick(&["contains('o')", "isEmpty()"])),
                _ => {
                    let cmp = self.pick(&[
                        "==", "!=", "<", ">", "<=", ">=", "eq", "ne", "lt", "gt", "le", "ge",
                    ]);
                    format!("{} {cmp} {}", self.operand(), self.operand())
                }
            };
        }
        let (a, b) = (self.condition(depth - 1), self.condition(depth - 1));
        match self.below(6) {
            0 => format!("{a} && {b}"),
            1 => format!("{a} || {b}"),
            2 => format!("{a} and {b}"),
            3 => format!("!({a})"),
            4 => format!("not {a}"),
            _ => format!("({a}) or {b}"),
        }
    }

    /// A double-quoted string: text, references and small directives.
    fn interpolated(&mut self) -> String {
        let mut out = String::from("\"");
        for _ in 0..1 + self.below(3) {
            match self.below(5) {
                0 => out += self.pick(&["x", " ", "-", "''", "\\"]),
                1 => out += &format!("#if({})y#{{else}}n#end", self.condition(0)),
                2 => out += "#foreach($y in [1..2])$y#end",
                _ => out += &self.reference(),
            }
        }
        out + "\""
    }

    fn set(&mut self) -> String {
        let var = self.pick(&["r", "q"]);
        let value = match self.below(6) {
            0 => self.operand(),
            1 => format!("\"[${var}|{}]\"", self.reference()),
            2 => self.interpolated(),
            3 => format!("[{}, {}]", self.pick(NUMBERS), self.pick(STRINGS)),
            4 => format!(
                "{{'k': {}, 'j': {}}}",
                self.pick(NUMBERS),
                self.pick(OTHERS)
            ),
            _ => self.number(2),
        };
        match self.below(8) {
            0 => format!("#set($h.c = {value})$h"),
            1 => format!("#set($v[{}] = {value})$v", self.below(3)),
            2 => format!("#set( ${var} = {value} )\n${var}"),
            _ => format!("#set(${var} = {value})${var}"),
        }
    }

    fn statement(&mut self, depth: u32) -> String {
        let kind = if depth == 0 {
            self.below(4)
        } else {
            self.below(8)
        };
        match kind {
            0 => self
                .pick(&[
                    "x",
                    " ",
                    "\n",
                    "-",
                    ", ",
                    "  \n",
                    "\n  ",
                    "\t",
                    "a$ b",
                    "c# d",
                    " ## note\n",
                    "#* c *#",
                    "\\$s",
                    "\\$u.x",
                    "\\\\$q",
                    "\\#wrap(1)",
                    "\\#set($q = 1)",
                ])
                .to_string(),
            1 => self.reference(),
            2 => self.set(),
            3 => match self.below(3) {
                0 => format!("#wrap({})", self.pick(NUMBERS)),
                1 => format!("#wrap({})", self.pick(STRINGS)),
                _ => format!("#wrap({})", self.pick(&OTHERS[..OTHERS.len() - 2])),
            },
            4 | 5 => {
                let body = self.block(depth - 1);
                let mut out = format!("#if({}){body}", self.condition(2));
                if self.chance(2) {
                    out += &format!("#elseif({}){}", self.condition(1), self.block(depth - 1));
                }
                if self.chance(2) {
                    out += &format!("#else{}", self.block(depth - 1));
                }
                out + "#end"
            }
            6 => {
                let over = self.pick(&[
                    "$l",
                    "$w",
                    "$m",
                    "[1..3]",
                    "[2..0]",
                    "[$k..$z]",
                    "$u",
                    "$t.split(',')",
                    "$m.keySet()",
                    "$m.entrySet()",
                    "[]",
                    "[$n, $q, $u]",
                ]);
                let extra = self.pick(&[
                    "$i",
                    "$i$foreach.hasNext",
                    "$foreach.index:$i",
                    "$foreach.count/$foreach.first",
                    "$velocityCount$velocityHasNext",
                    "#if($foreach.last).#end",
                    "#if($foreach.index == 1)#break#end$i",
                    "\n  $i\n",
                ]);
                // Nested loops use other names (hand-written cases cover reuse).
                let var = ["i", "j", "o"][depth as usize % 3];
                let body = self.block(depth - 1);
                format!(
                    "#foreach(${var} in {over}){}{body}#end",
                    extra.replace("$i", &format!("${var}"))
                )
            }
            _ => format!("{}{}", self.statement(depth - 1), self.statement(depth - 1)),
        }
    }

    fn block(&mut self, depth: u32) -> String {
        let n = 1 + self.below(3);
        (0..n).map(|_| self.statement(depth)).collect()
    }

    /// One generated template, prologue included.
    pub(crate) fn template(&mut self) -> String {
        format!("{PROLOGUE}{}", self.block(2))
    }
}
