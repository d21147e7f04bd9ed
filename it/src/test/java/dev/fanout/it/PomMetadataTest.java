package dev.fanout.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The published metadata (url, licenses, developers, scm) is the project's real home in the parent POM, and
 * the BOM (which has no parent, so inherits nothing) says the same: the two cannot drift apart, and no
 * placeholder address ships. The OkHttp and Kotlin versions the BOM aligns users on are the ones Fanout is
 * built with.
 */
@Timeout(20)
class PomMetadataTest {
  private static final String HOME = "https://fanout.dev";
  private static final String REPO = "https://github.com/fanout-dev/fanout";

  @Test
  void theParentAndTheBomPublishTheSameRealMetadata() throws Exception {
    File root = new File(System.getProperty("fanout.root", ".."));
    Map<String, String> parent = metadata(new File(root, "pom.xml"));
    Map<String, String> bom = metadata(new File(root, "bom/pom.xml"));

    assertThat(parent).containsEntry("url", HOME)
        .containsEntry("scm/url", REPO)
        .containsEntry("scm/connection", "scm:git:" + REPO + ".git")
        .containsEntry("scm/developerConnection", "scm:git:git@github.com:fanout-dev/fanout.git")
        .containsEntry("licenses/license/name", "Apache-2.0")
        .containsKey("developers/developer/name");
    assertThat(bom).isEqualTo(parent);
    assertThat(String.join(" ", parent.values())).doesNotContainIgnoringCase("example");
  }

  @Test
  void theBomAlignsUsersOnTheOkHttpAndKotlinFanoutIsBuiltWith() throws Exception {
    File root = new File(System.getProperty("fanout.root", ".."));
    Map<String, String> parent = properties(new File(root, "pom.xml"));
    Map<String, String> bom = properties(new File(root, "bom/pom.xml"));

    assertThat(bom).containsOnlyKeys("okhttp.version", "kotlin.version");
    assertThat(bom.get("okhttp.version")).isNotBlank().isEqualTo(parent.get("okhttp.version"));
    assertThat(bom.get("kotlin.version")).isNotBlank().isEqualTo(parent.get("kotlin.version"));
  }

  private static Map<String, String> properties(File pom) throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    for (Element properties : children(parse(pom).getDocumentElement(), "properties")) {
      for (Element p : children(properties, null)) {
        out.put(p.getTagName(), p.getTextContent().strip());
      }
    }
    return out;
  }

  private static Document parse(File pom) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(pom);
  }

  /** The metadata elements directly under {@code <project>}, flattened to path = text. */
  private static Map<String, String> metadata(File pom) throws Exception {
    Document doc = parse(pom);
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : List.of("url", "licenses", "developers", "scm")) {
      for (Element e : children(doc.getDocumentElement(), name)) {
        flatten(e, name, out);
      }
    }
    return out;
  }

  private static void flatten(Element e, String path, Map<String, String> out) {
    List<Element> kids = children(e, null);
    if (kids.isEmpty()) {
      out.put(path, e.getTextContent().strip());
      return;
    }
    for (Element k : kids) {
      flatten(k, path + "/" + k.getTagName(), out);
    }
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node n = nodes.item(i);
      if (n instanceof Element el && (name == null || el.getTagName().equals(name))) {
        out.add(el);
      }
    }
    return out;
  }
}
