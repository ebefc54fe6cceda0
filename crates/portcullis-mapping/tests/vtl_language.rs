//! The Velocity 1.7 language as API Gateway runs it: references, directives,
//! literals, operators, whitespace.

mod vtl_support;
use vtl_support::*;

#[test]
fn text_passes_through() {
    assert_eq!(render("plain {\"a\": 1} text"), "plain {\"a\": 1} text");
    assert_eq!(render(""), "");
    assert_eq!(
        render("costs $5 or 5$ # not a directive #"),
        "costs $5 or 5$ # not a directive #"
    );
    assert_eq!(
        render("#fff and #{abc} and email@x.com"),
        "#fff and #{abc} and email@x.com"
    );
}

#[test]
fn set_and_references() {
    assert_eq!(render("#set($a = 1)$a"), "1");
    assert_eq!(render("#set($a = 'x')${a}y"), "xy");
    assert_eq!(render("#set($a = \"x\")$!a|$!{a}"), "x|x");
    assert_eq!(render("#set( $a = [1, 2, 3] )$a[0]$a[2]$a[-1]"), "133");
    assert_eq!(
        render("#set($m = {\"k\": \"v\", \"n\": 2})$m.k $m[\"k\"] $m.get('n')"),
        "v v 2"
    );
    assert_eq!(
        render("#set($m = {})#set($m.a = 1)#set($m['b'] = 2)$m"),
        "{a=1, b=2}"
    );
    assert_eq!(render("#set($l = [1,2])#set($l[1] = 5)$l"), "[1, 5]");
}

#[test]
fn undefined_references_render_empty_as_on_aws() {
    assert_eq!(
        render("[$nothing][$nothing.at.all][$!quiet][${formal}][$x.method(1)]"),
        "[][][][][]"
    );
    assert_eq!(render("#set($m = {})[$m.missing][$m.get('x')]"), "[][]");
}

#[test]
fn undefined_references_render_literally_in_velocity_mode() {
    assert_eq!(
        render_velocity("[$nothing][$nothing.at.all][$!quiet][${formal}]"),
        "[$nothing][$nothing.at.all][][${formal}]"
    );
    assert_eq!(render_velocity("$foo.bar($a, 'b')"), "$foo.bar($a, 'b')");
}

#[test]
fn if_elseif_else() {
    let t = "#if($a == 1)one#elseif($a == 2)two#{else}other#end";
    assert_eq!(render(&format!("#set($a = 1){t}")), "one");
    assert_eq!(render(&format!("#set($a = 2){t}")), "two");
    assert_eq!(render(&format!("#set($a = 3){t}")), "other");
    assert_eq!(render("#{if}(true)yes#{end}"), "yes");
    assert_eq!(render("#if($undefined)yes#{else}no#end"), "no");
    assert_eq!(render("#if(!$undefined)yes#end"), "yes");
    assert_eq!(render("#set($f = false)#if($f)yes#{else}no#end"), "no");
    assert_eq!(
        render("#set($s = '')#if($s)empty strings are true#end"),
        "empty strings are true"
    );
}

#[test]
fn foreach_and_its_variables() {
    assert_eq!(render("#foreach($i in [1..3])$i#end"), "123");
    assert_eq!(render("#foreach($i in [3..1])$i#end"), "321");
    assert_eq!(
        render(
            "#foreach($x in ['a','b','c'])$foreach.index:$foreach.count:$velocityCount:$foreach.hasNext:$foreach.first:$foreach.last #end"
        ),
        "0:1:1:true:true:false 1:2:2:true:false:false 2:3:3:false:false:true "
    );
    assert_eq!(
        render("#foreach($x in ['a','b'])$x#if($foreach.hasNext),#end#end"),
        "a,b"
    );
    assert_eq!(
        render("#foreach($x in ['a','b','c'])#if($x == 'b')#break#end$x#end"),
        "a"
    );
    assert_eq!(
        render("#set($m = {'a': 1, 'b': 2})#foreach($v in $m)$v#end"),
        "12"
    );
    assert_eq!(render("#foreach($x in $undefined)never#end"), "");
    assert_eq!(render("#foreach($x in 'a string')never#end"), "");
}

#[test]
fn foreach_restores_the_loop_variable() {
    assert_eq!(
        render("#set($x = 'outer')#foreach($x in [1,2])$x#end $x"),
        "12 outer"
    );
    assert_eq!(render("#foreach($x in [1,2])#end[$x]"), "[]");
}

#[test]
fn foreach_stops_after_1000_iterations() {
    let out = render("#foreach($i in [1..5000])x#end");
    assert_eq!(out.len(), 1000);
    let out = render("#set($l = [])#foreach($i in [1..1200])#set($d = $l.add($i))#end$l.size()");
    assert_eq!(out, "1000");
}

#[test]
fn stop_ends_the_render() {
    assert_eq!(render("before#stop after"), "before");
    assert_eq!(
        render("#foreach($i in [1..3])$i#if($i == 2)#stop#end#end after"),
        "12"
    );
}

#[test]
fn comments_and_unparsed_blocks() {
    assert_eq!(render("a## comment\nb"), "ab");
    assert_eq!(render("a#* block\ncomment *#b"), "ab");
    assert_eq!(render("a#** doc *#b"), "ab");
    assert_eq!(render("#[[ $not #if(parsed) ]]#"), " $not #if(parsed) ");
}

#[test]
fn define_and_macros() {
    assert_eq!(
        render("#define($hello)Hello $name!#end#set($name = 'you')$hello"),
        "Hello you!"
    );
    assert_eq!(
        render("#macro(greet $who)Hi $who.#end#greet('Bob') #greet(\"Ann\")"),
        "Hi Bob. Hi Ann."
    );
    assert_eq!(render("#greet('early')#macro(greet $w)<$w>#end"), "<early>");
    assert_eq!(render("#macro(pair $a, $b)$a=$b#end#pair(1, 2)"), "1=2");
    assert_eq!(
        render("#macro(wrap)[$bodyContent]#end#@wrap()inside#end"),
        "[inside]"
    );
    assert_eq!(
        render("#unknownmacro('x') stays"),
        "#unknownmacro('x') stays"
    );
}

#[test]
fn string_literals() {
    assert_eq!(
        render("#set($n = 'World')#set($s = \"Hello $n\")$s"),
        "Hello World"
    );
    assert_eq!(
        render("#set($n = 'World')#set($s = 'Hello $n')$s"),
        "Hello $n"
    );
    assert_eq!(render("#set($s = \"say \"\"hi\"\"\")$s"), "say \"hi\"");
    assert_eq!(render("#set($s = 'it''s')$s"), "it's");
    assert_eq!(render("#set($s = \"\\u0041\")$s"), "A");
    assert_eq!(render("#set($s = \"a\\nb\")$s"), "a\\nb");
    assert_eq!(render("#set($s = \"#if(true)yes#end\")$s"), "yes");
}

#[test]
fn arithmetic_is_java_arithmetic() {
    assert_eq!(render("#set($a = 7 / 2)$a"), "3");
    assert_eq!(render("#set($a = -7 / 2)$a"), "-3");
    // The space before `#set` goes with it: it starts a token after the reference.
    assert_eq!(render("#set($a = 7 % 3)$a #set($b = -7 % 3)$b"), "1-1");
    assert_eq!(render("#set($a = 7.0 / 2)$a"), "3.5");
    assert_eq!(render("#set($a = 1 + 2 * 3 - 4)$a"), "3");
    assert_eq!(render("#set($a = (1 + 2) * 3)$a"), "9");
    assert_eq!(render("#set($a = 0.1 + 0.2)$a"), "0.30000000000000004");
    assert_eq!(render("#set($a = 2147483647 + 1)$a"), "2147483648");
    assert_eq!(
        render("#set($a = 9223372036854775807 + 1)$a"),
        "-9223372036854775808"
    );
    assert_eq!(render("#set($a = 1)#set($a = 5 / 0)$a"), "1");
    assert_eq!(
        render("#set($a = 'a' + 1 + 2)$a #set($b = 1 + 2 + 'a')$b"),
        "a123a"
    );
    assert_eq!(
        render("#set($a = 1e3)$a|#set($b = 1.5E-7)$b"),
        "1000.0|1.5E-7"
    );
}

#[test]
fn comparisons_and_logic() {
    assert_eq!(
        render("#if(1 == 1.0)eq#end #if('1' == 1)str-num#end #if(2 > 1 && 1 < 2)and#end"),
        "eq str-num and"
    );
    assert_eq!(
        render("#if(1 lt 2 and 3 ge 3 and not false)words#end"),
        "words"
    );
    assert_eq!(render("#if(1 eq 2 or 2 ne 3)or#end"), "or");
    assert_eq!(
        render("#if('a' < 'b')no#{else}strings do not compare#end"),
        "strings do not compare"
    );
    assert_eq!(
        render("#if([1,2] == [1,2])lists#end #if({'a':1} == {'a':1})maps#end"),
        "lists maps"
    );
    assert_eq!(render("#if($nothing == $alsoNothing)nulls#end"), "nulls");
    assert_eq!(
        render("#set($b = 1 < 2)$b, #set($c = !$b)$c"),
        "true, false"
    );
}

#[test]
fn velocity_truth_depends_on_the_node() {
    // Velocity 1.7: only references, booleans, comparisons and logic are evaluated
    // for truth; a bare literal or arithmetic is false.
    assert_eq!(render("#if('text')yes#{else}no#end"), "no");
    assert_eq!(render("#if(1)yes#{else}no#end"), "no");
    assert_eq!(render("#set($t = 'text')#if($t)yes#{else}no#end"), "yes");
    assert_eq!(
        render("#set($z = 0)#if($z)zero is true#end"),
        "zero is true"
    );
}

#[test]
fn null_assignments_leave_the_variable_alone() {
    assert_eq!(render("#set($a = 'kept')#set($a = $undefined)$a"), "kept");
    assert_eq!(
        render("#set($m = {'k':'v'})#set($a = 'kept')#set($a = $m.missing)$a"),
        "kept"
    );
}

#[test]
fn whitespace_as_velocity_1_7_gobbles_it() {
    // Directive lines: `)`, `#else` and `#end` eat the rest of their line.
    assert_eq!(render("#if(true)\nyes\n#end\nafter"), "yes\nafter");
    // #set also eats the indentation before it, when that starts a new token
    // (after a directive, reference or comment), not after plain text.
    assert_eq!(render("#if(true)\n    #set($x = 1)\nb#end"), "b");
    assert_eq!(render("a\n    #set($x = 1)\nb"), "a\n    b");
    // Other directives keep their indentation.
    assert_eq!(render("a\n  #if(true)\n  b\n  #end\nc"), "a\n    b\n  c");
    assert_eq!(render("#foreach($i in [1,2])\n$i\n#end\n"), "1\n2\n");
}

#[test]
fn escapes() {
    assert_eq!(render("#set($a = 1)\\$a \\\\$a"), "$a \\1");
    assert_eq!(render("\\$undefined"), "\\$undefined");
    assert_eq!(render("\\#if(true)x\\#end"), "#if(true)x#end");
    assert_eq!(render("back\\slash"), "back\\slash");
}

#[test]
fn hyphens_belong_to_identifiers_in_velocity_1_7() {
    assert_eq!(
        render("#set($m = {'partition-key': 'p'})$m.partition-key"),
        "p"
    );
    assert_eq!(render("#set($a = 'x')$a-"), "");
}

#[test]
fn syntax_errors_name_line_and_column() {
    let e = compile_err("line one\n  #if($a\n");
    assert!(
        e.contains("template t, line 3, column 1: expected ')'"),
        "{e}"
    );
    let e = compile_err("#foreach($a in $b)no end");
    assert!(e.contains("#foreach without #end"), "{e}");
    let e = compile_err("x #end");
    assert!(e.contains("line 1, column 3"), "{e}");
    let e = compile_err("#set($a = )");
    assert!(e.contains("expected a value"), "{e}");
    let e = compile_err("$a.b(1,");
    assert!(e.contains("line 1"), "{e}");
    let big = "x".repeat(300 * 1024 + 1);
    assert!(compile_err(&big).contains("300 KB"));
}

#[test]
fn templates_are_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<portcullis_mapping::Template>();
    let t = portcullis_mapping::Template::compile("shared", "$a").unwrap();
    let handle = std::thread::spawn(move || t.name().to_owned());
    assert_eq!(handle.join().unwrap(), "shared");
}
