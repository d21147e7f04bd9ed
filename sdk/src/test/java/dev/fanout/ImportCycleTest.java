package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No cycle among the SDK's main source files passes through an import: files that need each other are in one
 * package. A file depends on another when it imports it, names it fully qualified, or (same package) names
 * it. The strongly connected parts of that graph may each hold one package's files only; a public type and an
 * {@code internal} one that need each other fail here, naming both files and the edges that close the loop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ImportCycleTest {
  private static final Path MAIN = Path.of("src/main/java");

  @Test
  void noCycleAmongTheSdksMainFilesCrossesAPackage() throws IOException {
    Map<String, String> sources = new TreeMap<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.endsWith("package-info.java") && !p.endsWith("module-info.java"))
          .forEach(p -> sources.put(MAIN.relativize(p).toString().replace('\\', '/'), read(p)));
    }
    assertThat(sources).hasSizeGreaterThan(100); // the walk found the SDK, not an empty directory

    assertThat(crossPackageCycles(sources)).as("cycles through an import").isEmpty();
  }

  @Test
  void positiveControlAnImportCycleIsFoundAndOnePackagesCycleIsNot() {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("dev/fanout/Api.java", "package dev.fanout;\n// import dev.fanout.internal.Nothing;\n"
        + "public final class Api { static final String S = \"Door\"; Helper h; }");
    sources.put("dev/fanout/Helper.java", "package dev.fanout;\nfinal class Helper { Api api; }");
    sources.put("dev/fanout/internal/Door.java", "package dev.fanout.internal;\n"
        + "public final class Door { static Object o = dev.fanout.Api.class; }");
    sources.put("dev/fanout/internal/Impl.java", "package dev.fanout.internal;\nimport dev.fanout.Api;\n"
        + "final class Impl { Api api; }");
    assertThat(crossPackageCycles(sources)).isEmpty(); // Api<->Helper is one package's; comments, strings ignored

    sources.put("dev/fanout/Api.java", "package dev.fanout;\nimport dev.fanout.internal.Door;\n"
        + "public final class Api { Helper h; }");
    assertThat(crossPackageCycles(sources)).singleElement().asString()
        .contains("dev/fanout/Api.java -> dev/fanout/internal/Door.java",
            "dev/fanout/internal/Door.java -> dev/fanout/Api.java")
        .doesNotContain("Impl.java");

    sources.put("dev/fanout/Api.java", "package dev.fanout;\n"
        + "public final class Api { Helper h; Object d = dev.fanout.internal.Door.class; }");
    sources.put("dev/fanout/internal/Door.java", "package dev.fanout.internal;\nimport dev.fanout.*;\n"
        + "public final class Door { Helper h; }");
    assertThat(crossPackageCycles(sources)).singleElement().asString() // a wildcard import, a name written in full
        .contains("dev/fanout/internal/Door.java -> dev/fanout/Helper.java",
            "Api.java -> dev/fanout/internal/Door.java");
  }

  /**
   * Returns one line per strongly connected set of files that spans packages: its files and its
   * cross-package edges.
   */
  static List<String> crossPackageCycles(Map<String, String> sources) {
    Map<String, String> packageOf = new HashMap<>();
    Map<String, String> fileOfType = new HashMap<>(); // fully qualified name -> file
    Map<String, Map<String, String>> filesByPackage = new HashMap<>(); // package -> simple name -> file
    Map<String, String> code = new HashMap<>();
    for (Map.Entry<String, String> e : sources.entrySet()) {
      String file = e.getKey();
      String text = stripCommentsAndLiterals(e.getValue());
      Matcher pkg = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE).matcher(text);
      String pack = pkg.find() ? pkg.group(1) : "";
      String simple = file.substring(file.lastIndexOf('/') + 1, file.length() - ".java".length());
      packageOf.put(file, pack);
      fileOfType.put(pack.isEmpty() ? simple : pack + "." + simple, file);
      filesByPackage.computeIfAbsent(pack, k -> new HashMap<>()).put(simple, file);
      code.put(file, text);
    }

    Map<String, Set<String>> edges = new TreeMap<>();
    Pattern qualified = Pattern.compile("\\b[a-z_]\\w*(?:\\s*\\.\\s*\\w+)+");
    Pattern wildcard = Pattern.compile("^\\s*import\\s+([\\w.]+)\\s*\\.\\s*\\*\\s*;", Pattern.MULTILINE);
    Pattern identifier = Pattern.compile("\\b[A-Z]\\w*\\b");
    for (String file : sources.keySet()) {
      String text = code.get(file);
      Set<String> to = new TreeSet<>();
      Matcher q = qualified.matcher(text);
      while (q.find()) { // an import, a static import or a name written out in full: its longest known prefix
        String[] parts = q.group().replaceAll("\\s", "").split("\\.");
        for (int n = parts.length; n >= 1; n--) {
          String target = fileOfType.get(String.join(".", List.of(parts).subList(0, n)));
          if (target != null) {
            to.add(target);
            break;
          }
        }
      }
      Set<String> visible = new HashSet<>(List.of(packageOf.get(file)));
      Matcher w = wildcard.matcher(text);
      while (w.find()) {
        visible.add(w.group(1));
      }
      String body = text.replaceAll("(?m)^\\s*(package|import)\\b[^;]*;", "");
      Set<String> names = new HashSet<>();
      Matcher id = identifier.matcher(body);
      while (id.find()) {
        names.add(id.group());
      }
      for (String pack : visible) {
        filesByPackage.getOrDefault(pack, Map.of()).forEach((simple, target) -> {
          if (names.contains(simple)) {
            to.add(target);
          }
        });
      }
      to.remove(file);
      edges.put(file, to);
    }

    List<String> found = new ArrayList<>();
    for (Set<String> component : stronglyConnected(edges)) {
      Set<String> packages = component.stream().map(packageOf::get).collect(Collectors.toSet());
      if (packages.size() < 2) {
        continue;
      }
      List<String> crossing = new ArrayList<>();
      for (String from : component) {
        for (String to : edges.get(from)) {
          if (component.contains(to) && !packageOf.get(from).equals(packageOf.get(to))) {
            crossing.add(from + " -> " + to);
          }
        }
      }
      found.add(component + " through " + crossing);
    }
    return found;
  }

  /** Tarjan's algorithm, iterative; returns each component of two or more files, in sorted order. */
  private static List<Set<String>> stronglyConnected(Map<String, Set<String>> edges) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new HashSet<>();
    List<Set<String>> components = new ArrayList<>();
    int[] next = {0};
    for (String root : edges.keySet()) {
      if (index.containsKey(root)) {
        continue;
      }
      Deque<Map.Entry<String, java.util.Iterator<String>>> work = new ArrayDeque<>();
      index.put(root, next[0]);
      low.put(root, next[0]++);
      stack.push(root);
      onStack.add(root);
      work.push(Map.entry(root, edges.get(root).iterator()));
      while (!work.isEmpty()) {
        String v = work.peek().getKey();
        java.util.Iterator<String> it = work.peek().getValue();
        if (it.hasNext()) {
          String w = it.next();
          if (!index.containsKey(w)) {
            index.put(w, next[0]);
            low.put(w, next[0]++);
            stack.push(w);
            onStack.add(w);
            work.push(Map.entry(w, edges.get(w).iterator()));
          } else if (onStack.contains(w)) {
            low.put(v, Math.min(low.get(v), index.get(w)));
          }
          continue;
        }
        work.pop();
        if (!work.isEmpty()) {
          String parent = work.peek().getKey();
          low.put(parent, Math.min(low.get(parent), low.get(v)));
        }
        if (low.get(v).equals(index.get(v))) {
          Set<String> component = new TreeSet<>();
          String w;
          do {
            w = stack.pop();
            onStack.remove(w);
            component.add(w);
          } while (!w.equals(v));
          if (component.size() > 1) {
            components.add(component);
          }
        }
      }
    }
    return components;
  }

  /** Blanks comments, text blocks, strings and char literals, so that names in them are no dependency. */
  static String stripCommentsAndLiterals(String source) {
    StringBuilder out = new StringBuilder(source.length());
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (source.startsWith("//", i)) {
        int end = source.indexOf('\n', i);
        i = end < 0 ? n : end;
      } else if (source.startsWith("/*", i)) {
        int end = source.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        out.append(' ');
      } else if (source.startsWith("\"\"\"", i)) {
        int end = source.indexOf("\"\"\"", i + 3);
        i = end < 0 ? n : end + 3;
        out.append("\"\"");
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < n && source.charAt(j) != c) {
          j += source.charAt(j) == '\\' ? 2 : 1;
        }
        i = Math.min(n, j + 1);
        out.append(c).append(c);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
