package dev.fanout.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of README.md and of each module's README.md compiles, as a reader would copy it,
 * against the published artifacts (SDK, mock server, Flink adapter) plus Flink's API, JUnit 5 and AssertJ.
 *
 * <h2>How a snippet is written</h2>
 * <ul>
 *   <li>It starts with its {@code import} lines (static imports too): a copied snippet needs nothing else.
 *   <li>If it declares a top-level type ({@code class}, {@code record}, {@code interface}, {@code enum}, with
 *       annotations or modifiers before it), it is a whole source file and is compiled as it is.
 *   <li>Otherwise it is a block of statements: it is compiled as the body of a method that may throw any
 *       exception. Every variable it uses is declared in it, or named as an input of that method in an HTML
 *       comment on the line just before the fence, invisible on GitHub:
 *       {@code <!-- snippet inputs: String key, List<Long> ids -->} (the types then need their imports in the
 *       snippet). Prefer declaring them in the snippet, so that it runs as copied.
 *   <li>A snippet that needs its module's test fixtures (a chat round trip against a scripted server) is run
 *       line by line by a test of that module instead; the comment {@code <!-- snippet checked by: TestName -->}
 *       before its fence names that test, which must exist in the module's {@code src/test}.
 * </ul>
 * A failure names the README and the line of the snippet that does not compile.
 */
@Timeout(120)
class ReadmeSnippetsTest {
  private static final Pattern FENCE = Pattern.compile("^\\s*```java\\s*$");
  private static final Pattern CLOSE = Pattern.compile("^\\s*```\\s*$");
  private static final Pattern INPUTS = Pattern.compile("^\\s*<!--\\s*snippet inputs:(.*)-->\\s*$");
  /** A snippet that a test of its own module runs line by line (it needs that module's test fixtures). */
  private static final Pattern CHECKED_BY = Pattern.compile("^\\s*<!--\\s*snippet checked by:\\s*(\\w+)\\s*-->\\s*$");
  private static final Pattern TYPE = Pattern.compile(
      "(?m)^(?:@\\w+(?:\\([^)]*\\))?\\s+)*(?:(?:public|final|abstract|sealed|non-sealed|static)\\s+)*"
          + "(?:class|interface|record|enum)\\s+(\\w+)");

  /** One {@code ```java} block: where it is, its text, and the inputs its HTML comment declares. */
  record Snippet(Path readme, int line, String code, String inputs) {
    String where() {
      return root().relativize(readme) + ":" + line;
    }
  }

  static Path root() {
    return Path.of(System.getProperty("fanout.root", "..")).toAbsolutePath().normalize();
  }

  static List<Path> readmes() throws IOException {
    List<Path> found = new ArrayList<>();
    found.add(root().resolve("README.md"));
    try (Stream<Path> modules = Files.list(root())) {
      modules.filter(Files::isDirectory)
          .map(d -> d.resolve("README.md"))
          .filter(Files::isRegularFile)
          .sorted()
          .forEach(found::add);
    }
    return found;
  }

  static List<Snippet> snippets(Path readme) throws IOException {
    List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
    List<Snippet> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!FENCE.matcher(lines.get(i)).matches()) continue;
      String inputs = "";
      if (i > 0) {
        Matcher m = INPUTS.matcher(lines.get(i - 1));
        if (m.matches()) inputs = m.group(1).trim();
        Matcher checked = CHECKED_BY.matcher(lines.get(i - 1));
        if (checked.matches()) {
          String test = checked.group(1) + ".java";
          Path module = readme.getParent();
          try (Stream<Path> files = Files.walk(module.resolve("src/test"))) {
            assertThat(files.anyMatch(f -> f.getFileName().toString().equals(test)))
                .as(root().relativize(readme) + ":" + (i + 1) + " names " + test + ", which must exist in its module")
                .isTrue();
          }
          while (i + 1 < lines.size() && !CLOSE.matcher(lines.get(i + 1)).matches()) i++;
          i++;
          continue;
        }
      }
      int start = i + 1;
      int end = start;
      while (end < lines.size() && !CLOSE.matcher(lines.get(end)).matches()) end++;
      out.add(new Snippet(readme, start + 1, String.join("\n", lines.subList(start, end)), inputs));
      i = end;
    }
    return out;
  }

  static List<Snippet> allSnippets() throws IOException {
    List<Snippet> all = new ArrayList<>();
    for (Path readme : readmes()) all.addAll(snippets(readme));
    return all;
  }

  @Test
  void findsTheSnippetsOfTheRootReadmeAndTheModules() throws IOException {
    List<Snippet> all = allSnippets();
    assertThat(all).as("java snippets found").isNotEmpty();
    assertThat(all).extracting(s -> root().relativize(s.readme()).toString())
        .contains("README.md", "sdk/README.md", "mock-server/README.md");
  }

  @Test
  void aSnippetThatDoesNotCompileFailsWithItsReadmeAndLine(@TempDir Path out) {
    Snippet broken = new Snippet(root().resolve("README.md"), 10, "int x = undefinedVariable;", "");

    assertThat(compile(broken, out)).contains("README.md:10").contains("undefinedVariable");
  }

  @TestFactory
  Stream<DynamicTest> everyJavaSnippetCompiles(@TempDir Path out) throws IOException {
    return allSnippets().stream().map(s -> DynamicTest.dynamicTest(s.where(), () -> {
      Path dir = Files.createTempDirectory(out, "snippet");
      assertThat(compile(s, dir)).as("%s does not compile", s.where()).isEmpty();
    }));
  }

  /** Compiles one snippet into {@code out}; returns its errors, each as {@code README:line: message}, or "". */
  static String compile(Snippet s, Path out) {
    String[] split = splitImports(s.code());
    String imports = split[0];
    String body = split[1];
    int importLines = (int) imports.lines().count();
    String source;
    String name;
    int headerLines; // generated lines between the imports and the snippet's own body
    Matcher type = TYPE.matcher(body);
    if (type.find()) {
      name = type.group(1);
      source = s.code();
      headerLines = 0;
    } else {
      name = "Snippet";
      String header = "final class Snippet {\n  static void snippet(" + s.inputs() + ") throws Exception {\n";
      source = (imports.isEmpty() ? "" : imports + "\n") + header + body + "\n  }\n}\n";
      headerLines = (int) header.lines().count();
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    JavaFileObject file = new SimpleJavaFileObject(
        URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
      }
    };
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      StringWriter log = new StringWriter();
      boolean ok = javac.getTask(log, files, diagnostics,
          List.of("--release", "17", "-proc:none", "-implicit:none", "-classpath", classpath, "-d", out.toString()),
          null, List.of(file)).call();
      if (ok) return "";
      String where = root().relativize(s.readme()).toString();
      String errors = diagnostics.getDiagnostics().stream()
          .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
          .map(d -> where + ":" + readmeLine(s, d.getLineNumber(), importLines, headerLines)
              + ": " + d.getMessage(Locale.ROOT))
          .collect(Collectors.joining("\n"));
      return errors.isEmpty() ? where + ":" + s.line() + ": " + log : errors;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The README line of a line of the compiled source (a generated line maps to the snippet's first line). */
  private static long readmeLine(Snippet s, long sourceLine, int importLines, int headerLines) {
    if (sourceLine <= importLines) return s.line() + sourceLine - 1;
    if (sourceLine <= importLines + headerLines) return s.line();
    return s.line() + sourceLine - 1 - headerLines;
  }

  /** Splits leading import lines (with blank and comment lines among them) from the rest. */
  static String[] splitImports(String code) {
    List<String> lines = code.lines().toList();
    int i = 0;
    int lastImport = -1;
    for (; i < lines.size(); i++) {
      String t = lines.get(i).trim();
      if (t.startsWith("import ")) {
        lastImport = i;
      } else if (!(t.isEmpty() || t.startsWith("//"))) {
        break;
      }
    }
    if (lastImport < 0) return new String[] {"", code};
    return new String[] {
        String.join("\n", lines.subList(0, lastImport + 1)),
        String.join("\n", lines.subList(lastImport + 1, lines.size()))};
  }
}
