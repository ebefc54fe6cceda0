//! Java methods on strings, lists and maps; Java regular expressions; the bounds.

mod vtl_support;
use portcullis_mapping::RenderError;
use vtl_support::*;

fn s(expr: &str) -> String {
    render(&format!("#set($s = \"Hello, World\")#set($r = {expr})$r"))
}

#[test]
fn string_methods() {
    assert_eq!(s("$s.length()"), "12");
    assert_eq!(s("$s.substring(7)"), "World");
    assert_eq!(s("$s.substring(0, 5)"), "Hello");
    assert_eq!(s("$s.indexOf('o')"), "4");
    assert_eq!(s("$s.indexOf('o', 5)"), "8");
    assert_eq!(s("$s.lastIndexOf('o')"), "8");
    assert_eq!(s("$s.indexOf('zz')"), "-1");
    assert_eq!(s("$s.replace('l', 'L')"), "HeLLo, WorLd");
    assert_eq!(s("$s.toLowerCase()"), "hello, world");
    assert_eq!(s("$s.toUpperCase()"), "HELLO, WORLD");
    assert_eq!(render("#set($p = \"  pad \t\")[$p.trim()]"), "[pad]");
    assert_eq!(s("$s.startsWith('Hell')"), "true");
    assert_eq!(s("$s.endsWith('x')"), "false");
    assert_eq!(s("$s.contains(', ')"), "true");
    assert_eq!(s("$s.equals('Hello, World')"), "true");
    assert_eq!(s("$s.equalsIgnoreCase('hello, world')"), "true");
    assert_eq!(s("$s.isEmpty()"), "false");
    assert_eq!(s("$s.charAt(1)"), "e");
    assert_eq!(s("$s.concat('!')"), "Hello, World!");
    assert_eq!(s("$s.empty"), "false");
    assert_eq!(s("$s.class.name"), "java.lang.String");
    assert_eq!(s("$s.hashCode()"), "-505841268");
    // Java counts UTF-16 units.
    assert_eq!(
        render("#set($e = \"a😀b\")$e.length() $e.substring(3)"),
        "4 b"
    );
}

#[test]
fn regex_methods_use_java_syntax() {
    assert_eq!(s("$s.replaceAll('o', '0')"), "Hell0, W0rld");
    assert_eq!(s("$s.replaceAll('(\\w+), (\\w+)', '$2 $1')"), "World Hello");
    assert_eq!(
        s("$s.replaceAll('(?<first>\\w+)', '<${first}>')"),
        "<Hello>, <World>"
    );
    assert_eq!(s("$s.replaceFirst('l+', 'L')"), "HeLo, World");
    assert_eq!(s("$s.replaceAll('o', '\\$')"), "Hell$, W$rld");
    assert_eq!(s("$s.matches('Hello.*')"), "true");
    assert_eq!(s("$s.matches('Hello')"), "false");
    assert_eq!(
        s("$s.matches('\\p{Alpha}+, \\p{Upper}\\p{Lower}+')"),
        "true"
    );
    assert_eq!(s("$s.replaceAll('(?<=l)o', '0')"), "Hell0, World");
    assert_eq!(s("$s.replaceAll('(l)\\1', 'LL')"), "HeLLo, World");
    assert_eq!(s("$s.matches('\\QHello, World\\E')"), "true");
    assert_eq!(s("$s.matches('H.*+d')"), "false");
    // \d and \w are ASCII in Java.
    assert_eq!(render("#set($x = \"٣\")$x.matches('\\d')"), "false");
}

#[test]
fn split_follows_java() {
    assert_eq!(
        render("#set($x = 'a,b,,c,,')#set($p = $x.split(','))$p $p.size()"),
        "[a, b, , c] 4"
    );
    assert_eq!(
        render("#set($x = 'a,b,,c,,')#set($p = $x.split(',', -1))$p.size()"),
        "6"
    );
    assert_eq!(
        render("#set($x = 'a,b,c')#set($p = $x.split(',', 2))$p"),
        "[a, b,c]"
    );
    assert_eq!(
        render("#set($x = 'abc')#set($p = $x.split(''))$p"),
        "[a, b, c]"
    );
    assert_eq!(
        render("#set($x = ',')#set($p = $x.split(','))$p.size()"),
        "0"
    );
    assert_eq!(
        render("#set($x = '')#set($p = $x.split(','))$p.size()"),
        "1"
    );
    assert_eq!(
        render("#set($x = 'a1b22c')#set($p = $x.split('\\d+'))$p"),
        "[a, b, c]"
    );
    assert_eq!(
        render("#set($x = 'a.b')#set($p = $x.split('.'))$p.size()"),
        "0"
    );
}

#[test]
fn bad_regex_and_replacement_fail_the_render() {
    let e = render_err("$s.replaceAll('(', 'x')#set($s = 'a')$s.replaceAll('(', 'x')");
    assert!(
        matches!(
            e,
            RenderError::Method {
                exception: "java.util.regex.PatternSyntaxException",
                ..
            }
        ),
        "{e}"
    );
    let e = render_err("#set($s = 'a')$s.replaceAll('a', '$2')");
    assert!(
        matches!(
            e,
            RenderError::Method {
                exception: "java.lang.IndexOutOfBoundsException",
                ..
            }
        ),
        "{e}"
    );
    let e = render_err("#set($s = 'a')$s.substring(5)");
    assert!(e.to_string().contains("line 1, column 17"), "{e}");
}

#[test]
fn list_methods() {
    let l = |expr: &str| render(&format!("#set($l = [1, 2, 3])#set($r = {expr})$r|$l"));
    assert_eq!(l("$l.size()"), "3|[1, 2, 3]");
    assert_eq!(l("$l.get(1)"), "2|[1, 2, 3]");
    assert_eq!(l("$l.add(4)"), "true|[1, 2, 3, 4]");
    assert_eq!(l("$l.contains(2)"), "true|[1, 2, 3]");
    assert_eq!(l("$l.indexOf(3)"), "2|[1, 2, 3]");
    assert_eq!(l("$l.remove(0)"), "1|[2, 3]");
    assert_eq!(l("$l.set(0, 'x')"), "1|[x, 2, 3]");
    assert_eq!(l("$l.isEmpty()"), "false|[1, 2, 3]");
    assert_eq!(l("$l.empty"), "false|[1, 2, 3]");
    // `add` returns true, which prints: the usual Velocity idiom hides it with #set.
    assert_eq!(
        render("#set($l = [])$l.add('a')#set($d = $l.add('b'))$l"),
        "true[a, b]"
    );
    let e = render_err("#set($l = [1])$l.get(3)");
    assert!(
        e.to_string().contains("Index 3 out of bounds for length 1"),
        "{e}"
    );
}

#[test]
fn map_methods_and_entries() {
    let tpl = "#set($m = {'a': 1, 'b': 'two'})";
    assert_eq!(
        render(&format!(
            "{tpl}$m.keySet() $m.values() $m.size() $m.containsKey('a') $m.isEmpty()"
        )),
        "[a, b] [1, two] 2 true false"
    );
    assert_eq!(
        render(&format!(
            "{tpl}#foreach($e in $m.entrySet())$e.key=$e.getValue();#end"
        )),
        "a=1;b=two;"
    );
    assert_eq!(
        render(&format!(
            "{tpl}#set($old = $m.put('a', 9))$old $m.a $m.remove('b') $m"
        )),
        "1 9 two {a=9}"
    );
    assert_eq!(render(&format!("{tpl}$m.entrySet()")), "[a=1, b=two]");
    // Velocity resolves `$m.empty` as `get("empty")` on a map.
    assert_eq!(render(&format!("{tpl}[$m.empty]")), "[]");
}

#[test]
fn limits_hold() {
    // Output past 10 MiB.
    let e = render_err(
        "#set($s = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')#foreach($a in [1..1000])#foreach($b in [1..200])$s#end#end",
    );
    assert!(matches!(e, RenderError::Limit { .. }), "{e}");
    // Strings doubling.
    let e = render_err("#set($s = 'x')#foreach($i in [1..100])#set($s = \"$s$s\")#end");
    assert!(matches!(e, RenderError::Limit { .. }), "{e}");
    // Runaway recursion.
    let e = render_err("#macro(r $n)#r($n)#end#r(1)");
    assert!(e.to_string().contains("macro call depth"), "{e}");
    let e = render_err("#define($d)$d#end$d");
    assert!(matches!(e, RenderError::Limit { .. }), "{e}");
    // Nested loops past the work budget.
    let e = render_err(
        "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#end#end#end",
    );
    assert!(e.to_string().contains("steps"), "{e}");
    // A list that would contain itself, and deep nesting.
    let e = render_err("#set($l = [])#set($d = $l.add($l))");
    assert!(matches!(e, RenderError::Method { .. }), "{e}");
    let e = render_err(
        "#set($root = [])#set($cur = $root)#foreach($i in [1..500])#set($n = [])#set($d = $cur.add($n))#set($cur = $n)#end",
    );
    assert!(e.to_string().contains("nesting"), "{e}");
    // Unsupported directives.
    assert!(matches!(
        render_err("#parse('x.vm')"),
        RenderError::Unsupported { .. }
    ));
}

#[test]
fn deep_templates_do_not_overflow_the_stack() {
    let run = || {
        let deep_parens = format!("#set($a = {}1{})", "(".repeat(90), ")".repeat(90));
        assert_eq!(render(&format!("{deep_parens}$a")), "1");
        let too_deep = format!("#set($a = {}1{})", "(".repeat(5000), ")".repeat(5000));
        assert!(compile_err(&too_deep).contains("nesting"));
        let nested_ifs = format!("{}x{}", "#if(true)".repeat(5000), "#end".repeat(5000));
        assert!(compile_err(&nested_ifs).contains("nesting"));
        let e = render_err("#macro(m $n)#if($n)#m($n)#end#end#m(true)");
        assert!(matches!(e, RenderError::Limit { .. }));
    };
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn hash_codes_bytes_and_narrowing_are_javas() {
    // Values Java gives (checked against Velocity 1.7 by the differential test).
    assert_eq!(render("#set($n = 7)$n.hashCode()"), "7");
    assert_eq!(render("#set($l = [1, 'a'])$l.hashCode()"), "1089");
    assert_eq!(
        render("#set($t = true)#set($f = false)$t.hashCode() $f.hashCode()"),
        "1231 1237"
    );
    assert_eq!(render("#set($d = 1.5)$d.hashCode()"), "1073217536");
    assert_eq!(render("#set($m = {'a': 1})$m.hashCode()"), "96");
    assert_eq!(
        render("#set($s = 'aé')$s.getBytes().size() $s.bytes.get(1)"),
        "3 -61"
    );
    assert_eq!(
        render("#set($n = 300)$n.byteValue() $n.shortValue()"),
        "44 300"
    );
    assert_eq!(render("#set($s = '')$s.valueOf([1, 2])"), "[1, 2]");
}
