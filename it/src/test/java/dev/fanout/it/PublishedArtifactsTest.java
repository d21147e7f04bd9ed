package dev.fanout.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every jar the BOM lists ships what a user's build expects of it: a sources jar, a javadoc jar and a module name
 * (a {@code module-info.java} or an {@code Automatic-Module-Name}), and the README names that module exactly as
 * {@code requires} must spell it. The modular consumer build ({@code src/it/modular-consumer}) proves the names
 * resolve.
 */
@Timeout(20)
class PublishedArtifactsTest {
  private static final Path ROOT = Path.of(System.getProperty("fanout.root", ".."));
  private static final Pattern BOM_ARTIFACT =
      Pattern.compile("<artifactId>fanout-([a-z0-9-]+)</artifactId>\\s*<version>[^<]*</version>\\s*</dependency>");
  private static final Pattern MODULE_INFO = Pattern.compile("(?m)^module\\s+([\\w.]+)\\s*\\{");
  private static final Pattern AUTOMATIC_NAME = Pattern.compile("<Automatic-Module-Name>([\\w.]+)</Automatic-Module-Name>");

  @Test
  void everyBomJarHasSourcesJavadocAndAModuleNameTheReadmeSpellsRight() throws IOException {
    Map<String, String> moduleNames = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (String module : bomModules()) {
      String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
      String plugins = pom.replaceAll("(?s)<pluginManagement>.*?</pluginManagement>", "");
      if (!plugins.contains("<artifactId>maven-source-plugin</artifactId>")) problems.add(module + ": no sources jar");
      if (!plugins.contains("<artifactId>maven-javadoc-plugin</artifactId>")) problems.add(module + ": no javadoc jar");
      String name = moduleName(module, pom);
      if (name == null) {
        problems.add(module + ": no module-info.java and no Automatic-Module-Name");
      } else {
        moduleNames.put("fanout-" + module, name);
      }
    }
    assertThat(problems).isEmpty();
    assertThat(moduleNames).containsEntry("fanout-sdk", "dev.fanout.sdk").containsKey("fanout-langchain4j");

    String readme = Files.readString(ROOT.resolve("README.md")).replaceAll("\\s+", " ");
    for (Map.Entry<String, String> e : moduleNames.entrySet()) {
      assertThat(readme).as("README names %s's module", e.getKey())
          .contains("`" + e.getKey() + "` (`" + e.getValue() + "`)");
    }
    assertThat(readme).doesNotContain("requires dev.fanout;");
  }

  @Test
  void theDocsAndTheChangelogNameTheVersionTheBuildMakes() throws IOException {
    Matcher v = Pattern.compile("<artifactId>fanout-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(ROOT.resolve("pom.xml")));
    assertThat(v.find()).isTrue();
    String version = v.group(1);
    assertThat(version).endsWith("-SNAPSHOT");
    List<String> wrong = new ArrayList<>();
    try (var files = Files.walk(ROOT)) {
      for (Path md : files.filter(p -> p.toString().endsWith(".md") && !p.toString().contains("/target/")).toList()) {
        Matcher m = Pattern.compile("\\b\\d+\\.\\d+\\.\\d+-SNAPSHOT\\b").matcher(Files.readString(md));
        while (m.find()) if (!m.group().equals(version)) wrong.add(ROOT.relativize(md) + ": " + m.group());
      }
    }
    assertThat(wrong).as("versions other than the build's " + version).isEmpty();
    String release = version.substring(0, version.length() - "-SNAPSHOT".length());
    // An "## Unreleased" section may stand above it: changes not yet sorted into the version's own.
    String firstVersion = Files.readAllLines(ROOT.resolve("CHANGELOG.md")).stream()
        .filter(l -> l.matches("## \\d+\\.\\d+.*")).findFirst().orElse("");
    assertThat(firstVersion).as("the changelog's newest version is the one being built")
        .isEqualTo("## " + release + " (unreleased)");
  }

  /** The modules whose jars the BOM lists (fanout-sdk is module sdk). */
  private static List<String> bomModules() throws IOException {
    Matcher m = BOM_ARTIFACT.matcher(Files.readString(ROOT.resolve("bom/pom.xml")));
    List<String> out = new ArrayList<>();
    while (m.find()) out.add(m.group(1));
    assertThat(out).contains("common", "sdk", "mock-server", "langchain4j", "flink");
    return out;
  }

  private static String moduleName(String module, String pom) throws IOException {
    Path info = ROOT.resolve(module).resolve("src/main/java/module-info.java");
    if (Files.exists(info)) {
      Matcher m = MODULE_INFO.matcher(Files.readString(info));
      return m.find() ? m.group(1) : null;
    }
    Matcher m = AUTOMATIC_NAME.matcher(pom);
    return m.find() ? m.group(1) : null;
  }
}
