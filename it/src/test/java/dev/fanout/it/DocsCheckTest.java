package dev.fanout.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The docs speak to users: no reference to the project's own issue tracker (a user cannot look up "issue 14"),
 * no history narration in option docs ("until 0.2 ..."), and no option name that the published API does not
 * have. The Markdown is every {@code *.md} of the repository; the Java is every module's {@code src/main/java}.
 *
 * <h2>What counts as an option name</h2>
 * In a Markdown code span outside fenced blocks: a call ({@code `totalTimeout(Duration)`},
 * {@code `.maxInFlight(4)`}), and a bare camelCase name ({@code `keepAlive`}) in a paragraph or table row that
 * mentions a builder. Each must be a public method, record component or field of a public type of the published
 * Fanout jars (the SDK, the mock server, the adapters, the job runner), or a member of the JDK, OkHttp or
 * LangChain4j types the docs talk about ({@link #OTHER_TYPES}), or one of {@link #OTHER_NAMES}. The changelog is
 * exempt from the option check: it names removed options on purpose.
 */
@Timeout(60)
class DocsCheckTest {
  private static final Path ROOT = Path.of(System.getProperty("fanout.root", "..")).toAbsolutePath().normalize();

  /** "issue 14", "issues 10 and 11", "issue #14", "defect 5". */
  private static final Pattern ISSUE_WORDS = Pattern.compile("(?i)\\b(?:issues?\\s+#?\\d+|defects?\\s+\\d+)");
  /** "#14" in prose (not an HTML character reference such as {@code &#45;}, not PKCS #8, not in a code span). */
  private static final Pattern HASH_NUMBER = Pattern.compile("(?<![\\w&/#])(?<!PKCS )#\\d+\\b");
  /** "until 0.2", "since 0.2", "before Fanout 0.2", "as of 0.1". */
  private static final Pattern HISTORY = Pattern.compile("(?i)\\b(?:until|since|before|as of)\\s+(?:fanout\\s+)?0\\.\\d");
  private static final Pattern FENCED = Pattern.compile("(?ms)^\\s*```.*?^\\s*```");
  private static final Pattern CODE_SPAN = Pattern.compile("`([^`\\n]+)`");
  private static final Pattern CALL = Pattern.compile("(?:^|\\.)([a-z][A-Za-z0-9]*)\\(");
  private static final Pattern BARE = Pattern.compile("[a-z]+[A-Z][A-Za-z0-9]*");

  /** Types beside Fanout's whose members the docs name. */
  static final List<String> OTHER_TYPES = List.of(
      "java.util.concurrent.CompletableFuture", "java.util.concurrent.Executors", "java.util.concurrent.ExecutorService",
      "java.time.Duration", "java.lang.System", "java.util.Iterator", "java.lang.ProcessHandle", "java.lang.ProcessHandle$Info",
      "java.net.http.HttpClient", "java.lang.Math", "java.util.List", "java.util.Map",
      "java.lang.management.ThreadMXBean", "okhttp3.EventListener",
      "okhttp3.HttpUrl", "okhttp3.Request", "okhttp3.RequestBody", "dev.langchain4j.model.chat.ChatModel",
      "dev.langchain4j.model.chat.StreamingChatModel", "dev.langchain4j.model.embedding.EmbeddingModel",
      "dev.langchain4j.model.chat.response.StreamingChatResponseHandler",
      "org.apache.flink.api.common.functions.RuntimeContext", "org.apache.flink.streaming.api.functions.async.RichAsyncFunction");

  /** Names of APIs not on this class path that the docs compare with or call. */
  static final Set<String> OTHER_NAMES = Set.of(
      "maxRetries",                // OpenAiChatModel.builder()'s, beside ours
      "executeToolsConcurrently",  // LangChain4j's AiServices
      "finalChatCompletion",       // the openai Node client's
      "finalMessage",              // the Anthropic TypeScript SDK's messages.stream(...)
      "finishInFlightDelayedRetry", // Flink's AsyncWaitOperator
      "endInput",                  // Flink's AsyncWaitOperator
      "findUsers",                 // the seed sample's tool
      "list",                      // the openai Node client's models.list()
      "read",                      // aiohttp's resp.read()
      "times"                      // Python's os.times()
  );

  @Test
  void noIssueNumbersOrHistoryInTheDocsOrTheJavadoc() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path md : markdown()) {
      String text = Files.readString(md);
      scan(md, text, ISSUE_WORDS, found);
      scan(md, blank(CODE_SPAN, blank(FENCED, text)), HASH_NUMBER, found);
      if (!md.getFileName().toString().equals("CHANGELOG.md")) scan(md, text, HISTORY, found);
    }
    for (Path java : mainJava()) {
      String text = Files.readString(java);
      scan(java, text, ISSUE_WORDS, found);
      scan(java, text, HISTORY, found);
    }
    assertThat(found).as("references a user cannot follow").isEmpty();
  }

  @Test
  void everyOptionTheMarkdownNamesExists() throws Exception {
    Set<String> known = publishedNames();
    assertThat(known).as("the scan sees the published API").contains("totalTimeout", "maxInFlight", "modelName");
    assertThat(known).doesNotContain("callTimeout");
    known.addAll(OTHER_NAMES);
    List<String> unknown = new ArrayList<>();
    for (Path md : markdown()) {
      if (md.getFileName().toString().equals("CHANGELOG.md")) continue;
      String text = FENCED.matcher(Files.readString(md)).replaceAll("");
      for (String para : text.split("\\n\\s*\\n|\\n(?=\\|)")) {
        boolean builderContext = para.toLowerCase(java.util.Locale.ROOT).contains("builder");
        Matcher span = CODE_SPAN.matcher(para);
        while (span.find()) {
          String code = span.group(1);
          Matcher call = CALL.matcher(code);
          while (call.find()) {
            if (!known.contains(call.group(1))) unknown.add(ROOT.relativize(md) + ": " + call.group(1) + " in `" + code + "`");
          }
          if (builderContext && BARE.matcher(code).matches() && !known.contains(code)) {
            unknown.add(ROOT.relativize(md) + ": " + code);
          }
        }
      }
    }
    assertThat(unknown).as("option names the API does not have").isEmpty();
  }

  /** A table row per option: {@code | `keepAlive(Duration)` | 4 s | ... |} appears once per table. */
  @Test
  void noTableListsAnOptionTwice() throws IOException {
    List<String> twice = new ArrayList<>();
    for (Path md : markdown()) {
      Set<String> seen = new HashSet<>();
      int n = 0;
      for (String line : Files.readAllLines(md)) {
        n++;
        if (!line.startsWith("|")) {
          seen.clear();
          continue;
        }
        String first = line.split("\\|", -1)[1].strip();
        if (first.matches("`[a-z]\\w*\\([^)]+\\)`") && !seen.add(first)) twice.add(ROOT.relativize(md) + ":" + n + ": " + first);
      }
    }
    assertThat(twice).as("table rows that repeat an earlier row's option").isEmpty();
  }

  /** {@code text} with every match of {@code pattern} blanked out, its line breaks kept (so line numbers hold). */
  private static String blank(Pattern pattern, String text) {
    return pattern.matcher(text).replaceAll(m -> m.group().replaceAll("[^\\n]", " "));
  }

  private static void scan(Path file, String text, Pattern pattern, List<String> found) {
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      int line = 1 + (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count();
      found.add(ROOT.relativize(file) + ":" + line + ": " + m.group());
    }
  }

  private static List<Path> markdown() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(p -> p.toString().endsWith(".md") && !excluded(p)).sorted().toList();
    }
  }

  private static List<Path> mainJava() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(p -> p.toString().endsWith(".java") && !excluded(p)
          && ROOT.relativize(p).toString().replace(File.separatorChar, '/').contains("/src/main/java/")).sorted().toList();
    }
  }

  private static boolean excluded(Path p) {
    String rel = ROOT.relativize(p).toString().replace(File.separatorChar, '/');
    return rel.startsWith(".") || rel.contains("/target/") || rel.startsWith("target/") || rel.contains("node_modules/")
        || rel.contains("/.");
  }

  /** Public members of every public type under dev.fanout on the class path (the published jars), and of OTHER_TYPES. */
  private static Set<String> publishedNames() throws IOException {
    Set<String> names = new HashSet<>();
    ClassLoader loader = DocsCheckTest.class.getClassLoader();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      for (String className : fanoutClasses(new File(entry))) {
        try {
          addMembers(Class.forName(className, false, loader), names);
        } catch (ClassNotFoundException | LinkageError e) {
          // a type whose optional dependency is absent: its members are not options the docs name
        }
      }
    }
    for (String type : OTHER_TYPES) {
      try {
        addMembers(Class.forName(type, false, loader), names);
      } catch (ClassNotFoundException e) {
        throw new AssertionError("OTHER_TYPES names a type not on the class path: " + type, e);
      }
    }
    return names;
  }

  private static void addMembers(Class<?> type, Set<String> names) {
    if (!Modifier.isPublic(type.getModifiers())) return;
    for (Method m : type.getMethods()) names.add(m.getName());
    for (Member f : type.getFields()) names.add(f.getName());
    if (type.isRecord()) {
      for (RecordComponent c : type.getRecordComponents()) names.add(c.getName());
    }
  }

  private static List<String> fanoutClasses(File entry) throws IOException {
    List<String> out = new ArrayList<>();
    if (entry.isDirectory()) {
      Path base = entry.toPath();
      Path fanout = base.resolve("dev/fanout");
      if (!Files.isDirectory(fanout)) return out;
      try (Stream<Path> files = Files.walk(fanout)) {
        files.filter(p -> p.toString().endsWith(".class"))
            .map(p -> base.relativize(p).toString().replace(File.separatorChar, '/'))
            .filter(DocsCheckTest::published)
            .forEach(n -> out.add(n.substring(0, n.length() - ".class".length()).replace('/', '.')));
      }
    } else if (entry.getName().endsWith(".jar") && entry.isFile()) {
      try (JarFile jar = new JarFile(entry)) {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
          String n = entries.nextElement().getName();
          if (n.endsWith(".class") && published(n)) out.add(n.substring(0, n.length() - ".class".length()).replace('/', '.'));
        }
      }
    }
    return out;
  }

  private static boolean published(String path) {
    return path.startsWith("dev/fanout/") && !path.contains("/internal/") && !path.startsWith("dev/fanout/it/")
        && !path.endsWith("module-info.class");
  }
}
