//! The hand-written cases of the Velocity 1.7 differential test: `(id, template)`.
//! Each template sets the values it uses; none uses `$input`, `$util` or `$context`.

/// Rendered by the engine as API Gateway renders (`NullRendering::Empty`, the
/// default) rather than as stock Velocity: they pin what API Gateway does differently,
/// and that the rest is the same in both modes.
pub(crate) const AWS_MODE_CASES: &[(&str, &str)] = &[
    (
        "aws/null-prints-empty",
        r#"[$nope][$nope.a][${nope}][$nope.m(1)]"#,
    ),
    (
        "aws/missing-key-prints-empty",
        r#"#set($m = {})[$m.missing][$m.get('x')][$m.a.b]"#,
    ),
    ("aws/null-in-string", r##"#set($s = "[$nope][$nope.x]")$s"##),
    (
        "aws/null-macro-argument",
        r#"#macro(show $v)<$v>#end#show($nope)"#,
    ),
    (
        "aws/null-equals-empty-string",
        r#"#if($nope == "")A#end#if("" == $nope)B#end#if($nope != "")C#end"#,
    ),
    ("aws/quiet-references", r#"[$!nope][$!{nope}][$!nope.a]"#),
    (
        "aws/null-is-false",
        r#"#if($nope)A#else B#end#if(!$nope)C#end#if($nope == $nope2)D#end"#,
    ),
    (
        "aws/null-set-keeps-old",
        r#"#set($a = 1)#set($a = $nope)$a"#,
    ),
    (
        "aws/defined-values",
        r#"#set($a = 1)#set($m = {"k": [1, 'x']})$a ${a} $m $m.k[1]"#,
    ),
    (
        "aws/empty-string-is-true",
        r#"#set($e = '')#if($e)A#end#if($e == "")B#end"#,
    ),
];

pub(crate) const CASES: &[(&str, &str)] = &[
    // References.
    ("ref/plain", r#"#set($a = 'x')$a|${a}|$!a|$!{a}"#),
    ("ref/undefined", r#"[$nope][${nope}][$!nope][$!{nope}]"#),
    (
        "ref/undefined-property",
        r#"[$nope.a][$nope.a.b][$!nope.a][${nope.a}]"#,
    ),
    (
        "ref/undefined-method",
        r#"[$nope.m(1, 'x')][$!nope.m()][$nope.m( $x )]"#,
    ),
    (
        "ref/map-property",
        r#"#set($m = {"k": "v", "n": {"x": 1}})$m.k $m.n.x $m.n $m["k"] $m.n["x"] $m.get("n").get("x")"#,
    ),
    (
        "ref/map-missing",
        r#"#set($m = {"k": "v"})[$m.z][$m.z.y][$m["z"]][$!m.z][$m.get('z')]"#,
    ),
    (
        "ref/list-index",
        r#"#set($l = ['a', 'b', 'c'])$l[0] $l[2] $l.get(1) ${l[1]}"#,
    ),
    (
        "ref/list-index-negative",
        r#"#set($l = ['a', 'b', 'c'])$l[-1] $l[-3]"#,
    ),
    ("ref/list-index-out-of-range", r#"#set($l = ['a'])$l[3]"#),
    (
        "ref/list-nested-index",
        r#"#set($l = [[1, 2], [3, [4, 5]]])$l[1][0] $l[0] $l[1][1][1]"#,
    ),
    (
        "ref/index-variable",
        r#"#set($l = ['a', 'b'])#set($i = 1)#set($m = {"k": "v"})#set($key = "k")$l[$i] $m[$key] $m["$key"]"#,
    ),
    ("ref/index-on-string", r#"#set($s = 'abc')[$s[0]]"#),
    (
        "ref/formal-adjacent-text",
        r#"#set($a = 'x')${a}y $ay ${a}_ $a-"#,
    ),
    ("ref/dollar-text", r#"costs $5 and $ alone, $$a, $.x, $1a"#),
    (
        "ref/hyphen-identifier",
        r#"#set($m = {"partition-key": "p"})$m.partition-key|#set($a = 1)#set($b = 2)$a-$b"#,
    ),
    (
        "ref/email-like",
        r#"#set($domain = 'example')user@$domain.com and $domain.com"#,
    ),
    (
        "ref/trailing-dots",
        r#"#set($a = 'x')$a. $a.. ${a}.b $a.1 $a.("#,
    ),
    (
        "ref/property-is-getter",
        r#"#set($s = 'abc')#set($l = [])#set($m = {})$s.empty $l.empty [$m.empty] $s.class.simpleName $l.class.name"#,
    ),
    (
        "ref/number-methods",
        r#"#set($n = 5)#set($d = 2.5)$n.class.name $d.class.name $n.doubleValue() $d.intValue() $n.toString() $n.equals(5)"#,
    ),
    (
        "ref/bang-defined",
        r#"#set($a = 'v')$!a $!{a} $!a.length()"#,
    ),
    (
        "ref/method-on-literal-arg",
        r#"#set($s = 'hello')$s.substring(1, 3) $s.substring( 1 , 3 ) $s.charAt(1)"#,
    ),
    (
        "ref/unicode",
        "#set($s = \"a\u{e9}\u{1F600}b\")$s $s.length() $s.substring(2) $s.toUpperCase()",
    ),
    // String methods.
    (
        "str/length",
        r#"#set($s = 'Hello World')$s.length() $e.length() #set($e = '')$e.length()"#,
    ),
    (
        "str/substring",
        r#"#set($s = 'Hello World')$s.substring(1, 3)|$s.substring(6)|$s.substring(0, 0)|$s.substring(11)"#,
    ),
    (
        "str/substring-out-of-range",
        r#"#set($s = 'abc')$s.substring(2, 9)"#,
    ),
    (
        "str/substring-wrong-type",
        r#"#set($s = 'abc')$s.substring('x')|$s.substring(1.5)"#,
    ),
    (
        "str/case",
        r#"#set($s = 'Hello World')$s.toUpperCase() $s.toLowerCase()"#,
    ),
    (
        "str/replace",
        r#"#set($s = 'Hello World')$s.replace('l', 'L')|$s.replace("lo", "")|$s.replace('', '-')"#,
    ),
    (
        "str/index-of",
        r#"#set($s = 'Hello World')$s.indexOf('o') $s.indexOf('o', 5) $s.indexOf('zz') $s.lastIndexOf('o') $s.indexOf('')"#,
    ),
    (
        "str/contains-starts-ends",
        r#"#set($s = 'Hello World')$s.contains('World') $s.contains('world') $s.startsWith('He') $s.startsWith('o', 4) $s.endsWith('d')"#,
    ),
    (
        "str/split",
        r#"#set($s = 'a,b,,c,,')#set($p = $s.split(','))$p.size() $p[0] $p.get(3) #foreach($x in $p)[$x]#end"#,
    ),
    ("str/split-printed", r#"#set($s = 'a,b')$s.split(',')"#),
    (
        "str/split-regex-limit",
        r#"#set($s = 'a1b22c')#set($p = $s.split('\d+', 2))$p.size() $p[1]"#,
    ),
    ("str/trim", r#"#set($s = "  pad  ")[$s.trim()][$s]"#),
    (
        "str/equals",
        r#"#set($s = 'abc')$s.equals('abc') $s.equals('ABC') $s.equalsIgnoreCase('ABC') $s.equals(1) $s.compareTo('abd')"#,
    ),
    (
        "str/char-at",
        r#"#set($s = 'abc')$s.charAt(0) $s.charAt(2)#if($s.charAt(0) == 'a') same#end"#,
    ),
    (
        "str/char-at-out-of-range",
        r#"#set($s = 'abc')$s.charAt(5)"#,
    ),
    (
        "str/concat",
        r#"#set($s = 'abc')$s.concat('!') $s.concat($s)"#,
    ),
    (
        "str/regex",
        r#"#set($s = 'Hello World')$s.replaceAll('[aeiou]', '_') $s.replaceFirst('l+', 'L') $s.matches('H.*d') $s.matches('H')"#,
    ),
    (
        "str/regex-groups",
        r#"#set($s = 'Hello World')$s.replaceAll('(\w+) (\w+)', '$2 $1')"#,
    ),
    (
        "str/regex-bad",
        r#"#set($s = 'abc')$s.replaceAll('(', 'x')"#,
    ),
    (
        "str/chain",
        r#"#set($s = 'Hello World')$s.toUpperCase().substring(0, 3).length() $s.trim().split(' ')[1].toLowerCase()"#,
    ),
    (
        "str/is-empty",
        r#"#set($s = '')#set($t = ' ')$s.isEmpty() $t.isEmpty() $s.empty"#,
    ),
    (
        "str/hash-code",
        r#"#set($s = 'Hello')$s.hashCode() $s.toString()"#,
    ),
    (
        "str/unknown-method",
        r#"#set($s = 'abc')[$s.nope()][$s.nope][$s.substring()][$s.indexOf(1, 2, 3)][$s.concat(1)]"#,
    ),
    (
        "str/no-arg-method-given-args",
        r#"#set($s = 'abc')[$s.length(1)]"#,
    ),
    (
        "list/no-arg-method-given-args",
        r#"#set($l = [1])[$l.size(1)]"#,
    ),
    (
        "str/index-of-char-code",
        r#"#set($s = 'Hello')$s.indexOf(111) $s.lastIndexOf(108)"#,
    ),
    (
        "str/property-without-parens",
        r#"#set($s = 'Hello')#set($l = [1])$s.length $l.size"#,
    ),
    (
        "str/regex-flags",
        r#"#set($s = 'Hello World')$s.matches('(?i)hello.*') $s.replaceAll("\s+", '_') $s.split('\|').size() $s.split('').size()"#,
    ),
    (
        "str/compare-to",
        r#"#set($s = 'b')$s.compareTo('a') $s.compareTo('c') $s.compareToIgnoreCase('B')"#,
    ),
    (
        "str/wrong-argument-types",
        r#"#set($s = 'abc')[$s.substring(1, 2.5)][$s.charAt('0')][$s.startsWith(1)]"#,
    ),
    // List methods.
    (
        "list/size-get",
        r#"#set($l = ['a', 'b', 'c'])$l.size() $l.get(0) $l.get(2)"#,
    ),
    ("list/get-out-of-range", r#"#set($l = ['a'])$l.get(4)"#),
    (
        "list/contains-index-of",
        r#"#set($l = ['a', 'b', 1])$l.contains('a') $l.contains('z') $l.contains(1) $l.indexOf('b') $l.indexOf('z')"#,
    ),
    (
        "list/add-prints",
        r#"#set($l = [])$l.add('a') $l.add(1)|$l"#,
    ),
    (
        "list/add-quietly",
        r#"#set($l = [1])#set($ignored = $l.add(2))#set($ignored = $l.add(0, 'first'))$l $l.size()"#,
    ),
    ("list/add-at-index", r#"#set($l = [1, 2])$l.add(1, 'x')|$l"#),
    (
        "list/set-remove",
        r#"#set($l = ['a', 'b', 'c'])$l.set(0, 'z') $l.remove(1) $l $l.remove('c') $l"#,
    ),
    (
        "list/clear-void",
        r#"#set($l = [1, 2])[$l.clear()][$l][$l.isEmpty()]"#,
    ),
    (
        "list/sublist",
        r#"#set($l = [1, 2, 3, 4])$l.subList(1, 3) $l.subList(0, 0)"#,
    ),
    (
        "list/add-all",
        r#"#set($l = [1])#set($x = $l.addAll([2, 3]))$l $x"#,
    ),
    (
        "list/equals",
        r#"#set($a = [1, 2])#set($b = [1, 2])$a.equals($b) #if($a == $b)eq#end"#,
    ),
    (
        "list/literals",
        r#"#set($a = [1, "two", 'three', 4.5, true, [5], {"k": 6}])$a|#set($b = [])$b|#set($c = [ 1 , 2 ])$c"#,
    ),
    ("list/literal-printed-directly", r#"[1, 2] $x"#),
    ("list/with-null", r#"#set($l = [1, $nope, 3])$l $l.size()"#),
    (
        "list/get-wrong-type",
        r#"#set($l = ['a', 'b'])[$l.get('0')][$l.get(1.0)][$l[$nope]]"#,
    ),
    (
        "list/to-string",
        r#"#set($l = [1, 'a'])$l.toString() #set($b = true)$b.toString()"#,
    ),
    (
        "list/contains-null",
        r#"#set($l = [1])#if($l.contains($nope))yes#else no#end"#,
    ),
    (
        "list/set-negative-index",
        r#"#set($l = [1, 2])#set($l[-1] = 9)$l"#,
    ),
    (
        "list/element-methods",
        r#"#set($l = ['abc', 'de'])$l.get(0).length() $l[1].toUpperCase() $l.get(0).substring(1)"#,
    ),
    (
        "list/class",
        r#"#set($l = [1])$l.class.name $l.getClass().getSimpleName()"#,
    ),
    // Map methods.
    (
        "map/printed",
        r#"#set($m = {"a": 1, "b": "two", "c": [3], "d": {"e": 5}})$m"#,
    ),
    ("map/empty", r#"#set($m = {})$m $m.size() $m.isEmpty()"#),
    (
        "map/order",
        r#"#set($m = {"z": 1, "a": 2, "m": 3})$m $m.keySet() $m.values()"#,
    ),
    (
        "map/key-set-contains",
        r#"#set($m = {"a": 1, "b": 2})$m.keySet() $m.containsKey('a') $m.containsKey('z') $m.containsValue(2)"#,
    ),
    (
        "map/get",
        r#"#set($m = {"a": 1})$m.get('a') $m.get("a") [$m.get('b')] $m.getOrDefault('b', 0)"#,
    ),
    ("map/put-new", r#"#set($m = {"a": 1})$m.put('b', 2)|$m"#),
    (
        "map/put-existing",
        r#"#set($m = {"a": 1})$m.put('a', 9)|$m"#,
    ),
    (
        "map/put-quietly",
        r#"#set($m = {})#set($old = $m.put('a', 1))#set($old = $m.put('a', 2))$old $m"#,
    ),
    (
        "map/size-remove",
        r#"#set($m = {"a": 1, "b": 2})$m.size() $m.remove('a') $m $m.size()"#,
    ),
    (
        "map/entry-set",
        r#"#set($m = {"a": 1, "b": 2})$m.entrySet() #foreach($e in $m.entrySet())$e.key=$e.value;$e.getKey()#end"#,
    ),
    (
        "map/int-keys",
        r#"#set($m = {1: "one", 2: "two"})$m [$m.get(1)] [$m.get('1')]"#,
    ),
    (
        "map/bool-and-null-values",
        r#"#set($m = {"t": true, "n": $nope})$m $m.size()"#,
    ),
    (
        "map/key-variable",
        r#"#set($k = 'a')#set($m = {$k: 1, "$k$k": 2})$m"#,
    ),
    (
        "map/nested-access",
        r#"#set($m = {"a": {"b": {"c": "deep"}}})$m.a.b.c $m["a"]["b"].c $m.a.get("b")"#,
    ),
    (
        "map/put-all-clear",
        r#"#set($m = {"a": 1})#set($x = $m.putAll({"b": 2}))$m#set($x = $m.clear())$m"#,
    ),
    (
        "map/index-with-number",
        r#"#set($m = {"0": "zero"})$m[0] $m["0"]"#,
    ),
    (
        "map/null-value-printed",
        r#"#set($m = {"a": $nope, "b": 1})$m $m.containsKey('a') [$m.a]"#,
    ),
    (
        "map/put-null",
        r#"#set($m = {})#set($x = $m.put('k', $nope))$m $m.size()"#,
    ),
    (
        "map/set-nested-missing",
        r#"#set($m = {})#set($m.a.b = 1)$m"#,
    ),
    (
        "map/missing-chain",
        r#"#set($m = {"a": {}})[$m.a.b.c.d][$m["a"]["b"]][$m.x.y]"#,
    ),
    (
        "map/class-property",
        r#"#set($m = {"k": 1})$m.class.simpleName $m.k.class.simpleName"#,
    ),
    (
        "map/quoted-keys",
        r#"#set($m = {'a': 1, "b" : 2, 'c':3})$m"#,
    ),
    ("map/trailing-comma", r#"#set($m = {"a": 1,})$m"#),
    (
        "map/multiline-literal",
        "#set($m = {\n  \"a\": 1,\n  \"b\": [1,\n 2]\n})$m",
    ),
    (
        "map/to-string",
        r#"#set($m = {"a": [1, {"b": 2}]})$m.toString() $m.a"#,
    ),
    ("map/class", r#"#set($m = {})$m.class.name"#),
    // #set.
    (
        "set/scalars",
        r#"#set($i = 42)#set($d = 1.25)#set($s = "str")#set($t = true)#set($f = false)$i $d $s $t $f"#,
    ),
    (
        "set/spacing",
        r#"#set( $a = 1 )#set($b=2)#set ($c = 3)#{set}($d = 4)$a$b$c$d"#,
    ),
    ("set/null-keeps-old", r#"#set($a = 1)#set($a = $nope)$a"#),
    ("set/null-new", r#"#set($a = $nope)[$a]"#),
    (
        "set/null-method",
        r#"#set($m = {})#set($a = 'old')#set($a = $m.get('x'))$a"#,
    ),
    (
        "set/map-property",
        r#"#set($m = {})#set($m.k = 'v')#set($m.n = 1)$m $m.k"#,
    ),
    (
        "set/map-bracket",
        r#"#set($m = {})#set($m['k'] = 'v')#set($m["j"] = 2)$m"#,
    ),
    (
        "set/map-nested",
        r#"#set($m = {"a": {}})#set($m.a.b = 1)$m"#,
    ),
    (
        "set/list-index",
        r#"#set($l = [1, 2, 3])#set($l[1] = 'v')$l"#,
    ),
    (
        "set/list-index-out-of-range",
        r#"#set($l = [1])#set($l[5] = 'v')$l"#,
    ),
    ("set/undefined-target", r#"#set($nope.k = 1)[$nope]"#),
    (
        "set/counter",
        r#"#set($c = 0)#set($c = $c + 1)#set($c = $c + 1)$c"#,
    ),
    (
        "set/interpolated",
        r#"#set($a = 'x')#set($b = "${a}y")#set($c = "$a-$b")#set($d = '$a')$b $c $d"#,
    ),
    (
        "set/boolean-results",
        r#"#set($a = 1 < 2)#set($b = !true)#set($c = true && false)#set($d = $nope == $nope)$a $b $c $d"#,
    ),
    (
        "set/from-method",
        r#"#set($s = 'abc')#set($n = $s.length() * 2)$n"#,
    ),
    (
        "set/empty-collections",
        r#"#set($a = [])#set($b = {})$a $b $a.size() $b.size()"#,
    ),
    (
        "set/same-variable-both-sides",
        r#"#set($l = [1])#set($l = [$l, $l])$l"#,
    ),
    (
        "set/shared-reference",
        r#"#set($a = [1])#set($b = $a)#set($x = $b.add(2))$a"#,
    ),
    ("set/no-space-before-paren", r#"#set($a= 'v' )$a"#),
    (
        "set/map-property-null",
        r#"#set($m = {"k": 1})#set($m.k = $nope)$m"#,
    ),
    (
        "set/range-list-mutable",
        r#"#set($l = [1..3])#set($x = $l.add(4))$l $l.class.simpleName"#,
    ),
    ("set/multiline-string", "#set($a = \"multi\nline\")$a"),
    (
        "set/boolean-from-non-boolean",
        r#"#set($s = 'x')#set($a = $s && true)#set($b = !$s)#set($c = !$nope)#set($d = $e || $nope)$a $b $c [$d]"#,
    ),
    (
        "set/comparison-result",
        r#"#set($a = 1)#set($b = 1.0)#set($c = $a == $b)#set($d = 'x' != 'x')$c $d"#,
    ),
    ("set/missing-rhs", r#"#set($a = )$a"#),
    ("set/no-dollar", r#"#set(a = 1)$a"#),
    // #if / #elseif / #else.
    (
        "if/elseif-else",
        r#"#foreach($a in [1, 2, 3])#if($a == 1)one#elseif($a == 2)two#{else}other#end;#end"#,
    ),
    (
        "if/comparisons",
        r#"#set($a = 3)#if($a == 3)A#end#if($a != 4)B#end#if($a < 4)C#end#if($a > 2)D#end#if($a <= 3)E#end#if($a >= 3)F#end#if($a < 3)X#end"#,
    ),
    (
        "if/word-operators",
        r#"#set($a = 3)#if($a eq 3)A#end#if($a ne 4)B#end#if($a lt 4)C#end#if($a gt 2)D#end#if($a le 3)E#end#if($a ge 4)X#end"#,
    ),
    (
        "if/logic",
        r#"#set($t = true)#set($f = false)#if($t && $f)A#end#if($t || $f)B#end#if(!$f)C#end#if($t and !$f)D#end#if($f or $t)E#end#if(not $f)F#end"#,
    ),
    (
        "if/number-equality",
        r#"#if(1 == 1.0)A#end#if(2 == 2)B#end#if(1.5 == 1.50)C#end#if(3 != 3.0)X#end"#,
    ),
    (
        "if/string-number",
        r#"#if("1" == 1)A#end#if(1 == "1")B#end#if("1.0" == 1)C#end#if("a" != 1)D#end"#,
    ),
    (
        "if/string-equality",
        r#"#set($a = 'x')#if($a == 'x')A#end#if($a == "x")B#end#if($a != 'y')C#end#if($a == 'X')D#end"#,
    ),
    (
        "if/boolean-string",
        r#"#if(true == "true")A#end#if(false == 'false')B#end#if(true == 1)C#end"#,
    ),
    (
        "if/mixed-compare",
        r#"#if(1 < 1.5)A#end#if(2.5 > 2)B#end#if("a" < "b")C#end#if("2" < 3)D#end"#,
    ),
    (
        "if/null-checks",
        r#"#if($nope)A#end#if(!$nope)B#end#if($nope == $nope2)C#end#if($nope != $nope)D#end#if($nope == 1)E#end"#,
    ),
    ("if/null-vs-empty", r#"#if($nope == "")A#else B#end"#),
    (
        "if/truthiness",
        r#"#set($e = '')#set($z = 0)#set($l = [])#set($m = {})#set($f = false)#if($e)A#end#if($z)B#end#if($l)C#end#if($m)D#end#if($f)E#end"#,
    ),
    (
        "if/literal-conditions",
        r#"#if("x")A#end#if(1)B#end#if(true)C#end#if([1])D#end#if(false)E#end"#,
    ),
    (
        "if/arithmetic-condition",
        r#"#set($a = 1)#if($a + 1)A#else B#end"#,
    ),
    (
        "if/short-circuit",
        r#"#if($nope && $nope.foo())A#else B#end#if(true || $nope.foo())C#end"#,
    ),
    (
        "if/nested",
        r#"#set($a = 1)#set($b = 2)#if($a == 1)#if($b == 2)both#else a#end#else none#end"#,
    ),
    (
        "if/method-conditions",
        r#"#set($s = 'Hello')#set($l = [1])#if($s.contains('ell'))A#end#if($l.size() > 0)B#end#if($s.length() == 5)C#end"#,
    ),
    (
        "if/collections-equality",
        r#"#if([1, 2] == [1, 2])A#end#if({"a": 1} == {"a": 1})B#end#if([1] == [2])C#end"#,
    ),
    (
        "if/not-precedence",
        r#"#set($a = 1)#if(!$a == 1)A#else B#end#if(!($a == 2))C#end"#,
    ),
    (
        "if/parenthesized",
        r#"#if((true || false) && !(false))A#end#if(((1 < 2)))B#end"#,
    ),
    (
        "if/list-vs-string",
        r#"#if([1] == "[1]")A#end#if({"a": 1} == "{a=1}")B#end"#,
    ),
    (
        "if/boolean-equals-true",
        r#"#set($b = true)#if($b == true)A#end#if($b != false)B#end#if($b == "true")C#end"#,
    ),
    (
        "if/long-equality",
        r#"#if(2147483648 == 2147483648)A#end#if(2147483648 > 2147483647)B#end#if(3000000000 == 3000000000.0)C#end"#,
    ),
    (
        "if/string-ordering",
        r#"#if("abc" > "abd")A#else B#end#if("b" >= "a")C#else D#end"#,
    ),
    (
        "if/directive-spacing",
        r#"#set($a = 1)#if ($a == 1)A#elseif ( $a == 2 )B#end#{if}(true)C#{end}#if( $a )D#end"#,
    ),
    (
        "if/and-or-non-boolean",
        r#"#set($s = 'x')#set($l = [])#if($s && $l)A#end#if($nope || $s)B#end#if($e || $nope)C#end"#,
    ),
    (
        "if/null-equals-method",
        r#"#set($m = {})#if($m.get('x') == $nope)A#end#if($s == $nope)B#end"#,
    ),
    ("if/unclosed", r#"#if(true)never closed"#),
    ("if/stray-end", r#"text#end more"#),
    ("if/empty-condition", r#"#if()x#end"#),
    (
        "if/else-spacing",
        r#"#if(false)a#else
b
#end
c"#,
    ),
    (
        "if/equals-int-long",
        r#"#set($big = 3000000000)#if($big == 3000000000)A#end#if($big > 2147483647)B#end"#,
    ),
    (
        "if/compare-null-numbers",
        r#"#if($nope < 1)A#else B#end#if($nope > 1)C#else D#end"#,
    ),
    // #foreach.
    ("foreach/list", r#"#foreach($x in ['a', 'b', 'c'])$x#end"#),
    (
        "foreach/loop-state",
        r#"#foreach($x in ['a', 'b', 'c'])$foreach.index/$foreach.count/$foreach.hasNext/$foreach.first/$foreach.last;#end"#,
    ),
    (
        "foreach/velocity-count",
        r#"#foreach($x in ['a', 'b'])$velocityCount:$velocityHasNext;#end[$velocityCount]"#,
    ),
    (
        "foreach/separator",
        r#"#set($l = [1, 2, 3])#foreach($x in $l)$x#if($foreach.hasNext), #end#end"#,
    ),
    (
        "foreach/nested",
        r#"#foreach($a in [1, 2])#foreach($b in ['x', 'y'])$a$b($foreach.index)#end;$foreach.index #end"#,
    ),
    ("foreach/range-up", r#"#foreach($i in [1..3])$i#end"#),
    ("foreach/range-down", r#"#foreach($i in [3..1])$i#end"#),
    ("foreach/range-single", r#"#foreach($i in [0..0])$i#end"#),
    (
        "foreach/range-negative",
        r#"#foreach($i in [-2..1])$i,#end"#,
    ),
    (
        "foreach/range-variables",
        r#"#set($a = 2)#set($b = 4)#foreach($i in [$a..$b])$i#end"#,
    ),
    ("foreach/range-printed", r#"#set($r = [1..4])$r $r.size()"#),
    ("foreach/undefined", r#"#foreach($x in $nope)never#end[$x]"#),
    ("foreach/empty-list", r#"#foreach($x in [])never#end done"#),
    (
        "foreach/map-values",
        r#"#set($m = {"a": 1, "b": 2})#foreach($v in $m)$v#end"#,
    ),
    (
        "foreach/map-keys",
        r#"#set($m = {"a": 1, "b": 2})#foreach($k in $m.keySet())$k=$m.get($k);#end"#,
    ),
    ("foreach/over-string", r#"#foreach($c in 'abc')[$c]#end"#),
    ("foreach/over-number", r#"#foreach($c in 5)[$c]#end"#),
    (
        "foreach/variable-restored",
        r#"#set($i = 'outer')#foreach($i in [1, 2])$i#end $i"#,
    ),
    (
        "foreach/variable-unset-after",
        r#"#foreach($j in [1, 2])$j#end [$j]"#,
    ),
    (
        "foreach/sum",
        r#"#set($sum = 0)#foreach($x in [1..10])#set($sum = $sum + $x)#end$sum"#,
    ),
    (
        "foreach/break",
        r#"#foreach($i in [1..5])$i#if($i == 3)#break#end#end after"#,
    ),
    (
        "foreach/break-scoped",
        r#"#foreach($i in [1..3])#foreach($j in [1..3])$i$j #if($j == 2)#break($foreach.parent)#end#end#end|"#,
    ),
    (
        "foreach/foreach-outside",
        r#"[$foreach][$foreach.index][$velocityCount]"#,
    ),
    (
        "foreach/modify-while-iterating",
        r#"#set($l = [1, 2])#foreach($x in $l)#set($d = $l.add(3))$x#end"#,
    ),
    (
        "foreach/set-inside",
        r#"#foreach($x in [1, 2])#set($last = $x)#end$last"#,
    ),
    (
        "foreach/entry-set-methods",
        r#"#set($m = {"k": "v"})#foreach($e in $m.entrySet())$e.getKey()-$e.getValue() $e#end"#,
    ),
    (
        "foreach/triangle",
        r#"#foreach($i in [1..3])#foreach($j in [1..$i])$j#end|#end"#,
    ),
    (
        "foreach/range-strings",
        r#"#foreach($i in ['1'..'3'])$i#end|"#,
    ),
    ("foreach/range-floats", r#"#foreach($i in [1.5..3])$i#end|"#),
    ("foreach/range-null", r#"#foreach($i in [1..$nope])$i#end|"#),
    (
        "foreach/count-after-break",
        r#"#foreach($i in [1..5])#if($i == 3)#break#end$foreach.count#end"#,
    ),
    (
        "foreach/velocity-count-nested",
        r#"#foreach($a in [1, 2])$velocityCount#foreach($b in [1, 2])($velocityCount)#end$velocityCount #end"#,
    ),
    (
        "foreach/spacing",
        r#"#foreach ( $i in [1, 2] )$i#end#{foreach}($i in [3])$i#{end}"#,
    ),
    (
        "foreach/loop-variable-is-list",
        r#"#foreach($pair in [[1, 'a'], [2, 'b']])$pair[0]$pair.get(1) #end"#,
    ),
    (
        "foreach/in-macro-break",
        r#"#macro(first $l)#foreach($x in $l)$x#break#end#end#first([7, 8, 9])|"#,
    ),
    (
        "foreach/newlines",
        "#foreach($i in [1, 2])\n  item $i\n#end\ndone",
    ),
    // Strings and interpolation.
    (
        "string/double-interpolates",
        r#"#set($a = 'x')#set($s = "[$a][${a}][$!a][$nope][$!nope]")$s"#,
    ),
    (
        "string/single-literal",
        r#"#set($a = 'x')#set($s = '[$a][${a}]')$s"#,
    ),
    (
        "string/doubled-quotes",
        r#"#set($s = "say ""hi""")#set($t = 'it''s')$s $t"#,
    ),
    (
        "string/backslashes",
        r#"#set($s = "a\nb\t\\c")#set($t = 'a\nb')$s $t $s.length()"#,
    ),
    (
        "string/unicode-escape",
        r#"#set($s = "\u0041\u00e9")$s $s.length()"#,
    ),
    (
        "string/directives-inside",
        r##"#set($a = 2)#set($s = "#if($a == 2)two#{else}other#end and #foreach($i in [1..3])$i#end")$s"##,
    ),
    (
        "string/method-inside",
        r#"#set($a = 'abc')#set($s = "$a.length() ${a.toUpperCase()} $a.substring(1)")$s"#,
    ),
    ("string/printed-literal", r#""not a string" 'either'"#),
    (
        "string/empty-literals",
        r#"#set($a = "")#set($b = '')[$a][$b] $a.length()"#,
    ),
    (
        "string/concat-operator",
        r#"#set($a = 'x' + 'y')#set($b = "n" + 1)#set($c = 1 + "n")#set($d = 'x' + 1.5)#set($e = 'x' + true)$a $b $c $d $e"#,
    ),
    (
        "string/concat-null",
        r#"#set($a = 'old')#set($a = 'x' + $nope)$a"#,
    ),
    ("string/concat-list", r#"#set($a = 'l' + [1, 2])$a"#),
    ("string/dollar-in-single", r#"#set($s = '$5.00 #if')$s"#),
    (
        "string/hash-in-double",
        r##"#set($s = "# and ## and #x")$s"##,
    ),
    (
        "string/nested-quotes",
        r#"#set($s = "it's")#set($t = 'say "x"')$s $t"#,
    ),
    (
        "string/escaped-dollar-inside",
        r#"#set($a = 'x')#set($s = "\$a and \$nope")$s"#,
    ),
    (
        "string/set-inside",
        r##"#set($s = "#set($inner = 5)$inner")$s $inner"##,
    ),
    (
        "string/adjacent-references",
        r#"#set($a = 'x')#set($b = 'y')#set($s = "$a$b${a}${b}$a.$b")$s"#,
    ),
    (
        "string/single-quoted-directives",
        r#"#set($s = '#if(true)x#end')$s"#,
    ),
    ("string/stop-inside", r#"#set($a = "a#stop b")[$a]"#),
    (
        "string/interpolated-macro",
        r##"#macro(m $x)<$x>#end#set($s = "#m('a')")$s"##,
    ),
    // Escapes.
    ("escape/defined", r#"#set($a = 'x')\$a \${a} \$!a"#),
    ("escape/undefined", r#"\$nope \${nope} \$!nope"#),
    (
        "escape/double-backslash",
        r#"#set($a = 'x')\\$a \\$nope \\\$a"#,
    ),
    (
        "escape/directives",
        r#"\#if(true)x\#end \#set($a = 1) \#foreach"#,
    ),
    ("escape/double-backslash-directive", r#"\\#if(true)x#end"#),
    ("escape/lone-backslash", r#"a\b \ c\"#),
    (
        "escape/many-backslashes",
        r#"#set($a = 'x')\\$a|\\\$a|\\$nope"#,
    ),
    ("escape/end-and-braced", r#"\#end \#{if} \#else"#),
    ("escape/method", r#"#set($a = 'x')\$a.length() \$a.nope()"#),
    ("escape/before-set", r#"\\#set($a = 1)$a"#),
    ("escape/property", r#"#set($m = {"k": 1})\$m.k \$nope.k"#),
    // Comments.
    ("comment/line", "a## comment\nb ## trailing\nc"),
    ("comment/block", "a#* block *#b#* multi\nline *#c"),
    ("comment/doc-block", "a#** doc *#b"),
    ("comment/after-directive", "#set($a = 1)## note\n$a"),
    ("comment/in-if", "#if(true)## c\nyes#end"),
    ("comment/unparsed", "#[[ $unparsed #if(x) ]]# and $!after"),
    ("comment/odd-blocks", "a#**#b#***#c#* #* nested *# d *#e"),
    (
        "comment/line-after-property",
        "#set($m = {\"x\": 1})$m.x##c\n$u.x##c\n$u.x$u##c\n$u##c",
    ),
    ("comment/block-after-property", "$u.x#* c *#d"),
    ("comment/unclosed-block", "a #* never closed"),
    // Whitespace and newlines around directives.
    ("ws/set-newline", "#set($a = 1)\n$a"),
    ("ws/set-indented", "  #set($a = 1)\n$a"),
    ("ws/set-mid-line", "text #set($a = 1) more $a"),
    ("ws/set-after-reference", "#set($a = 1)$a  #set($b = 2)$b"),
    ("ws/if-lines", "#if(true)\nx\n#end\ny"),
    ("ws/if-indented", "  #if(true)\n  x\n  #end\ny"),
    ("ws/foreach-lines", "#foreach($i in [1, 2])\n  $i\n#end\n"),
    ("ws/inline-if", "#if(true) x #else y #end"),
    ("ws/end-trailing-spaces", "#if(true)x#end   \nnext"),
    (
        "ws/crlf",
        "#set($a = 1)\r\n$a\r\n#if(true)\r\nx\r\n#end\r\n",
    ),
    ("ws/blank-lines", "#set($a = 1)\n\n$a\n\n"),
    ("ws/else-newlines", "#if(false)\na\n#else\nb\n#end\n"),
    ("ws/comment-lines", "## one\n## two\nbody\n#* x *#\nend"),
    ("ws/macro-definition", "#macro(m)\nbody\n#end\n#m()\n"),
    (
        "ws/multiline-set-argument",
        "#set($m = {\n  \"a\": 1\n})\n$m",
    ),
    ("ws/else-trailing-space", "#if(false)a#else  \nb#end"),
    ("ws/end-then-text", "#if(true)x#end  y\nz"),
    ("ws/if-paren-newline", "#if(true)  \nx#end"),
    (
        "ws/foreach-inline-text",
        "list: #foreach($i in [1, 2]) $i #end.\n",
    ),
    (
        "ws/nested-indented",
        "#foreach($i in [1, 2])\n  #if($i == 1)\n    one\n  #else\n    other\n  #end\n#end\n",
    ),
    ("ws/set-after-text-line", "text\n  #set($a = 1)\n$a"),
    ("ws/stop-line", "a\n#stop\nb"),
    ("ws/tabs", "\t#set($a = 1)\t\n\t$a"),
    // Arithmetic.
    (
        "math/integers",
        r#"#set($a = 7 / 2)#set($b = 7 % 3)#set($c = -7 / 2)#set($d = -7 % 3)#set($e = 2 - 5)$a $b $c $d $e"#,
    ),
    (
        "math/precedence",
        r#"#set($a = 1 + 2 * 3)#set($b = (1 + 2) * 3)#set($c = 10 - 4 - 3)#set($d = 2 * 3 % 4)$a $b $c $d"#,
    ),
    (
        "math/floats",
        r#"#set($a = 7.0 / 2)#set($b = 1.5 + 1)#set($c = 0.1 + 0.2)#set($d = 2 * 1.5)#set($e = 1 - 1.1)$a $b $c $d $e"#,
    ),
    (
        "math/float-formatting",
        r#"#set($a = 10000000.0)#set($b = 0.00001)#set($c = 100.0)#set($d = 1.0 / 3)$a $b $c $d"#,
    ),
    ("math/exponent-literal", r#"#set($a = 1e3)$a"#),
    (
        "math/division-by-zero",
        r#"#set($a = 'old')#set($a = 10 / 0)$a"#,
    ),
    (
        "math/modulo-by-zero",
        r#"#set($a = 'old')#set($a = 10 % 0)$a"#,
    ),
    (
        "math/float-division-by-zero",
        r#"#set($a = 'old')#set($a = 1.5 / 0)$a"#,
    ),
    (
        "math/int-overflow",
        r#"#set($a = 2147483647 + 1)#set($b = 100000 * 100000)$a $a.class.simpleName $b"#,
    ),
    (
        "math/long-overflow",
        r#"#set($a = 9223372036854775807 + 1)$a"#,
    ),
    (
        "math/long-literal",
        r#"#set($a = 12345678901)$a $a.class.simpleName"#,
    ),
    ("math/huge-literal", r#"#set($a = 99999999999999999999)$a"#),
    (
        "math/with-string",
        r#"#set($a = 'old')#set($a = 'x' * 2)$a"#,
    ),
    (
        "math/negation",
        r#"#set($a = 5)#set($b = -5)#set($c = 0 - $a)$b $c"#,
    ),
    (
        "math/unary-minus-reference",
        r#"#set($a = 5)#set($b = -$a)$b"#,
    ),
    ("math/printed-expression", r#"#set($a = 1)$a + 1 = ${a}+1"#),
    (
        "math/compare-results",
        r#"#set($a = 5 / 2)#if($a == 2)int#else float#end"#,
    ),
    (
        "math/mixed-types",
        r#"#set($i = 3)#set($d = 0.5)#set($a = $i * $d)#set($b = $i / $d)#set($c = $i % 2)$a $b $c"#,
    ),
    (
        "math/long-arithmetic",
        r#"#set($a = 3000000000)#set($b = $a * 2)#set($c = $a / 7)$b $c"#,
    ),
    (
        "math/more-float-formatting",
        r#"#set($a = 0.0001)#set($b = 123456789.0)#set($c = 1e20)#set($d = 0.0 * -1)#set($e = 1E3)$a $b $c $d $e"#,
    ),
    (
        "math/float-ops",
        r#"#set($a = 10 % 3.5)#set($b = 1 / 3.0)#set($c = 0.1 * 3)#set($d = 2.0 * 3)$a $b $c $d"#,
    ),
    (
        "math/string-numbers",
        r#"#set($a = "2" + 1)#set($b = 'old')#set($b = "2" * 3)$a $b"#,
    ),
    (
        "math/long-max",
        r#"#set($a = 9223372036854775807)#set($b = -2147483648 - 1)#set($c = 2147483647 * 2147483647)$a $b $c"#,
    ),
    (
        "math/long-multiply-overflow",
        r#"#set($a = 9223372036854775807 * 2)$a"#,
    ),
    (
        "math/number-methods",
        r#"#set($n = 7)#set($d = 2.5)$n.compareTo(3) $d.isNaN() $d.longValue()"#,
    ),
    (
        "math/division-printed-types",
        r#"#set($a = 6 / 3)#set($b = 6.0 / 3)#set($c = 7 / 2 * 2)$a $b $c"#,
    ),
    ("math/negative-modulo-float", r#"#set($a = -7.5 % 2)$a"#),
    // #break, #stop, #define, #macro.
    ("stop/top-level", "a#stop b"),
    (
        "stop/in-foreach",
        "#foreach($i in [1..5])$i#if($i == 2)#stop#end#end after",
    ),
    ("break/top-level", "a#break b"),
    (
        "define/basic",
        r#"#define($blk)x=$a#end#set($a = 1)$blk #set($a = 2)$blk"#,
    ),
    (
        "define/in-loop",
        r#"#define($row)[$i]#end#foreach($i in [1, 2])$row#end"#,
    ),
    (
        "macro/basic",
        r#"#macro(pair $x $y)$x-$y#end#pair(1 2) #pair('a', 'b')"#,
    ),
    ("macro/no-args", r#"#macro(hi)hello#end#hi()#{hi}()|#hi ()"#),
    ("macro/too-few-args", r#"#macro(m $x $y)[$x][$y]#end#m(1)"#),
    ("macro/too-many-args", r#"#macro(m $x)[$x]#end#m(1 2)"#),
    (
        "macro/before-definition",
        r#"#m(1)#macro(m $x)[$x]#end#m(2)"#,
    ),
    (
        "macro/block",
        r#"#macro(wrap $tag)<$tag>$bodyContent</$tag>#end#@wrap('b')bold $x#end"#,
    ),
    (
        "macro/recursive",
        r#"#macro(down $n)$n#if($n > 0)#set($k = $n - 1)#down($k)#end#end#down(3)"#,
    ),
    (
        "macro/modifies-argument",
        r#"#macro(addTo $l)#set($x = $l.add('m'))#end#set($list = [])#addTo($list)$list"#,
    ),
    (
        "macro/argument-reevaluated",
        r#"#macro(twice $v)$v $v#end#set($l = [])#twice($l.add(1))|$l.size()"#,
    ),
    (
        "macro/null-argument-printed",
        r#"#macro(show $v)<$v|$!v>#end#show($nope)#show($nope.x)"#,
    ),
    ("macro/undefined", r#"#nope(1) #nope"#),
    (
        "macro/sets-global",
        r#"#macro(setter)#set($g = 'set')#end#setter()$g"#,
    ),
    (
        "macro/arg-map-literal",
        r#"#macro(show $m)$m.a#end#show({"a": 7})"#,
    ),
    (
        "macro/without-parentheses",
        r#"#macro(hi)hello#end#hi x #{hi}|#m x"#,
    ),
    (
        "macro/argument-by-name-set",
        r#"#macro(m $a)#set($a = 'changed')#end#set($x = 'orig')#m($x)$x"#,
    ),
    (
        "macro/string-argument",
        r#"#macro(m $x)<$x>#end#set($y = 'v')#m("$y!") #m('$y')"#,
    ),
    ("macro/stop-inside", r#"#macro(m)a#stop b#end#m()c"#),
    (
        "macro/block-nested-body",
        r#"#macro(b $t)[$t:$bodyContent]#end#@b('o')x#@b('i')y#end#end"#,
    ),
    (
        "macro/name-with-hyphen",
        r#"#macro(my-m $x)($x)#end#my-m(1)"#,
    ),
    (
        "methods/string-static",
        r#"#set($s = 'abc')$s.format('%d-%s', 1, 'x') $s.valueOf(5)"#,
    ),
    (
        "methods/string-bytes",
        r#"#set($s = 'Hello')$s.bytes.size() $s.getBytes().size()"#,
    ),
    (
        "methods/list-hash-code",
        r#"#set($l = [1, 'a'])$l.hashCode()"#,
    ),
    (
        "methods/number-byte-value",
        r#"#set($n = 7)$n.byteValue() $n.shortValue()"#,
    ),
    ("methods/number-hash-code", r#"#set($n = 7)$n.hashCode()"#),
    (
        "methods/hash-codes-of-values",
        r#"#set($m = {'a': 1, 'b': [1, 'x', true]})#set($neg = -1)#set($d = 1.5)#set($t = true)#set($f = false)$m.hashCode() $m.b.hashCode() $neg.hashCode() $d.hashCode() $t.hashCode() $f.hashCode() $m.a.hashCode()"#,
    ),
    (
        "methods/bytes-beyond-ascii",
        r#"#set($s = 'aé€')#set($b = $s.getBytes())$b.size() $b.get(0) $b.get(1) $b.get(2) $b.get(5) $s.bytes.size()"#,
    ),
    (
        "methods/narrowing",
        r#"#set($n = 300)#set($d = 70000.9)#set($m = -129)$n.byteValue() $n.shortValue() $d.shortValue() $d.byteValue() $m.byteValue()"#,
    ),
    (
        "methods/value-of",
        r#"#set($s = 'abc')$s.valueOf(5) $s.valueOf('x') $s.valueOf([1, 2]) $s.valueOf(true)"#,
    ),
    ("directive/evaluate", r##"#evaluate("#set($x = 1)$x")"##),
    ("directive/parse", r#"#parse("x.vm")"#),
    ("directive/include", r#"#include("x.vm")"#),
    ("lexer/bang-without-name", "$!, $! x, $!."),
    ("lexer/dollar-at-end", "a$"),
    ("lexer/hash-at-end", "a #"),
    (
        "lexer/dollar-before-directive",
        "#set($a = 1)x$#if(true)y#end $#set($b = 2)$b",
    ),
    ("lexer/dollar-space-before-set", "a$ #set($x = 1)b"),
    ("lexer/hash-space-before-set", "a# #set($x = 1)b"),
    (
        "lexer/dollar-space-before-if",
        "a$ #if(true)b#end a# #if(true)b#end",
    ),
    ("lexer/dollar-dollar", "#set($a = 1)$$a x$$a"),
    (
        "macro/nested-body",
        r#"#macro(outer)[#inner()]#end#macro(inner)in#end#outer()"#,
    ),
    // Collections changed while a loop walks them, and self-containing ones.
    (
        "loop/set-element-while-iterating",
        r#"#set($l = [1, 2, 3])#foreach($i in $l)#set($l[2] = 'x')$i#end"#,
    ),
    (
        "loop/list-set-while-iterating",
        r#"#set($l = [1, 2, 3])#foreach($i in $l)#set($x = $l.set(2, 'x'))$i#end"#,
    ),
    (
        "loop/map-put-while-iterating",
        r#"#set($m = {"a": 1})#foreach($v in $m)#set($m.b = 2)$v#end"#,
    ),
    (
        "loop/map-replace-while-iterating",
        r#"#set($m = {"a": 1, "b": 2})#foreach($v in $m)#set($m.b = 3)$v#end"#,
    ),
    (
        "loop/null-element-pins-variable",
        r#"#foreach($i in [$nope])[$i #set($i = 5)$i]#end"#,
    ),
    (
        "loop/null-element-nested-same-name",
        r#"#foreach($i in [1, $nope])[#foreach($i in [7, 8])$i#end]#end"#,
    ),
    ("loop/null-element", r#"#foreach($i in [$nope, 2])[$i]#end"#),
    (
        "map/contains-itself",
        r#"#set($m = {})#set($m.self = $m)$m"#,
    ),
    (
        "list/contains-itself",
        r#"#set($l = [])#set($x = $l.add($l))$l"#,
    ),
    (
        "map/indirect-cycle-printed",
        r#"#set($m = {})#set($l = [$m])#set($m.l = $l)$m"#,
    ),
    (
        "map/indirect-cycle-unprinted",
        r#"#set($m = {})#set($l = [$m])#set($m.l = $l)$m.size()"#,
    ),
    // Realistic JSON-building templates.
    (
        "json/object",
        "#set($name = 'Rex')#set($tags = ['a', 'b'])\n{\n  \"name\": \"$name\",\n  \"tags\": [#foreach($t in $tags)\"$t\"#if($foreach.hasNext), #end#end],\n  \"count\": $tags.size()\n}\n",
    ),
    (
        "json/array-of-objects",
        "#set($items = [{\"id\": 1, \"n\": \"x\"}, {\"id\": 2, \"n\": \"y\"}])\n[\n#foreach($it in $items)\n  {\"id\": $it.id, \"name\": \"$it.n\"}#if($foreach.hasNext),#end\n\n#end\n]",
    ),
    (
        "json/optional-fields",
        "#set($m = {\"a\": 1})\n{\n#if($m.a)  \"a\": $m.a#end\n#if($m.b),\n  \"b\": $m.b\n#end\n}",
    ),
    (
        "json/escaped-quotes",
        r#"#set($s = 'say "hi"')"$s.replace('"', '\"')""#,
    ),
    // Literals and numbers.
    (
        "literal/float-forms",
        r#"#set($a = 1.5e-3)#set($b = 1E+3)#set($c = 007)#set($d = -0.5)$a $b $c $d"#,
    ),
    ("literal/float-leading-dot", r#"#set($a = .5)$a"#),
    ("literal/float-trailing-dot", r#"#set($a = 1.)$a"#),
    (
        "literal/method-on-literal",
        r#"#set($a = 'abc'.length())$a"#,
    ),
    (
        "literal/float-concat",
        r#"#set($a = 'x' + 1.0E10)#set($b = 'y' + 0.1)$a $b"#,
    ),
    (
        "literal/number-equality-methods",
        r#"#set($n = 7)#set($d = 2.5)$n.equals(7.0) $n.equals(7) #if($d == 2.50)A#end#if(1 == true)B#end"#,
    ),
    (
        "literal/boolean-methods",
        r#"#set($b = true)$b.booleanValue() $b.class.simpleName #if(!$b)x#else y#end"#,
    ),
    // Interpolated strings.
    (
        "string/only-reference-keeps-text",
        r##"#set($l = [1, 2])#set($a = "$l")$a $a.length() [$a.size()]"##,
    ),
    (
        "string/number-interpolated",
        r##"#set($n = 7)#set($a = "$n")#set($b = $a + 1)$b"##,
    ),
    (
        "string/quiet-and-formal-null",
        r##"#set($a = "[$!{nope}][${nope}][$nope.x()]")$a"##,
    ),
    ("string/escaped-quote-attempt", r#"#set($a = 'it\'s')$a"#),
    // Method call syntax.
    (
        "call/argument-spacing",
        "#set($s = 'Hello')$s.substring( 1 ) $s.substring(1,2) $s.substring(1,\n3) ${s.length()}",
    ),
    (
        "call/suffix-text",
        r#"#set($s = 'Hello')$s.length()x $s.length()() $s.length()."#,
    ),
    (
        "call/method-on-number",
        r#"#set($m = {"a": 1})[$m.a.b()][$m.a.b]"#,
    ),
    (
        "call/index-on-non-list",
        r#"#set($n = 5)#set($l = [1])[$n[0]][$l[0][0]]"#,
    ),
    ("call/list-negative-get", r#"#set($l = [1])$l.get(-1)"#),
    (
        "call/list-index-far-negative",
        r#"#set($l = [1, 2])[$l[-5]]"#,
    ),
    // Directive spelling.
    (
        "directive/braced-forms",
        r#"#{if}(true)a#{elseif}(false)b#{else}c#{end}#foreach($i in [1, 2])#{if}($i == 2)#{break}#{end}$i#{end}"#,
    ),
    (
        "directive/empty-branches",
        r#"#if(true)#end#if(false)#else#end#if($a)#elseif($b)#end|"#,
    ),
    ("directive/case-sensitive", r#"#IF(true)x#END #If(true)"#),
    (
        "directive/end-followed-by-letters",
        r#"#if(true)a#end b#endb c"#,
    ),
    (
        "directive/else-followed-by-letters",
        r#"#if(false)a#elsex b#end"#,
    ),
    (
        "directive/unknown-with-parens",
        r#"#ifx(true) #foo(1, 'a') #bar($nope)"#,
    ),
    ("directive/unknown-with-assignment", r#"#set2($a = 1)"#),
    ("directive/set-no-spaces", r#"#set($a=1)#set($b=$a+1)$b"#),
    ("directive/set-self-undefined", r#"#set($a = $a)[$a]"#),
    (
        "directive/define-methods",
        r#"#define($d)abc#end$d.length() [$d.toString()]"#,
    ),
    ("directive/stop-in-define", r#"#define($d)a#stop b#end$d c"#),
    (
        "directive/body-content-outside",
        r#"#macro(m)[$bodyContent]#end#m()"#,
    ),
    (
        "directive/macro-commas",
        r#"#macro(m, $a, $b)$a$b#end#m(1, 2)"#,
    ),
    (
        "directive/macro-spacing",
        r#"#macro( m $a )<$a>#end#m( 1 )"#,
    ),
    (
        "directive/foreach-parent",
        r#"#foreach($i in [1, 2])#foreach($j in [3])$foreach.parent.index$j #end#end"#,
    ),
    (
        "directive/set-foreach-name",
        r#"#set($velocityCount = 'x')#foreach($i in [1])$velocityCount#end $velocityCount"#,
    ),
    (
        "directive/velocity-count-after",
        r#"#foreach($i in [1, 2])#end[$velocityCount][$velocityHasNext]"#,
    ),
    // Idioms from mapping templates.
    (
        "idiom/backslash-replace",
        r#"#set($s = "a\b")$s.replaceAll("\\", "\\\\")|$s.replace("\", "/")"#,
    ),
    (
        "idiom/backslash-quote-ends-string",
        r#"#set($s = "x")$s.replace("\"", "q")"#,
    ),
    (
        "idiom/concatenation-order",
        r##"#set($n = 7)#set($x = "a" + $n + 1)#set($y = $n + 1 + "a")$x $y $n.toString().length()"##,
    ),
    (
        "idiom/dollar-in-regex",
        r##"#set($s = "123")#if($s.matches("^[0-9]+$"))num#end"##,
    ),
    (
        "idiom/split-escapes",
        r#"#set($s = "a.b.c")$s.split("\\.").size() $s.split("\.").size() ${s}s"#,
    ),
    (
        "idiom/decimals-in-map",
        r#"#set($m = {"a": 1.50, "b": 1e2, "c": -0.0})$m #set($y = 3 / 2.0)$y"#,
    ),
    // Parse errors.
    ("parse/unclosed-foreach", r#"#foreach($i in [1])x"#),
    ("parse/bad-foreach", r#"#foreach($i [1])x#end"#),
    ("parse/set-without-value", r#"#set($a)"#),
    ("parse/unclosed-reference", r#"${a"#),
    ("parse/unclosed-string", r#"#set($a = "x)"#),
    (
        "parse/expression-argument",
        r#"#set($s = 'abc')$s.substring(1 + 1)"#,
    ),
    ("parse/expression-in-list", r#"#set($l = [1 + 1, 2])$l"#),
    ("parse/expression-index", r#"#set($l = [1, 2])$l[0 + 1]"#),
    ("parse/else-without-if", r#"a#else b"#),
    (
        "parse/elseif-after-else",
        r#"#if(false)a#else b#elseif(true)c#end"#,
    ),
];
