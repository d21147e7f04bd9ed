package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.mock.ReceivedRequest;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /users/{id}}: a user deterministic from the id, for example {@code {"id": 7, "name":
 * "Grace Hopper", "email": "grace.hopper7@example.com"}}. A non-numeric id is a 400, a
 * non-positive one a 404.
 */
public final class UsersDispatcher extends BackendDispatcher {
  private static final List<String> FIRST = List.of(
      "Ada", "Alan", "Barbara", "Claude", "Dennis", "Edsger", "Frances", "Grace", "Hedy", "Ivan",
      "John", "Ken", "Leslie", "Margaret", "Niklaus", "Radia", "Shafi", "Tim", "Whitfield", "Xavier");
  private static final List<String> LAST = List.of(
      "Lovelace", "Turing", "Liskov", "Shannon", "Ritchie", "Dijkstra", "Allen", "Hopper", "Lamarr",
      "Sutherland", "McCarthy", "Thompson", "Lamport", "Hamilton", "Wirth", "Perlman", "Goldwasser",
      "Berners-Lee", "Diffie", "Leroy", "Knuth", "Backus", "Kay");

  /** The user with {@code id}, as the route answers it. */
  public static ObjectNode user(long id) {
    String first = FIRST.get((int) Math.floorMod(id - 1, (long) FIRST.size()));
    String last = LAST.get((int) Math.floorMod((id - 1) * 7 + (id - 1) / FIRST.size(), (long) LAST.size()));
    ObjectNode user = Json.object();
    user.put("id", id);
    user.put("name", first + " " + last);
    user.put("email", (first + "." + last).toLowerCase(Locale.ROOT).replace("-", "") + id + "@example.com");
    return user;
  }

  @Override
  public Reply handle(ReceivedRequest request) {
    String path = request.path();
    if (!"GET".equals(request.method())) {
      return Reply.methodNotAllowed(request.method(), path, "GET");
    }
    List<String> segments = request.pathSegments();
    if (segments.size() != 2 || segments.get(1).isEmpty()) {
      return Reply.notFound("no route for GET " + path + " (expected /users/{id})");
    }
    String raw = segments.get(1);
    long id;
    try {
      id = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      return Reply.badRequest("invalid user id: '" + raw + "' (expected a positive integer)", "id");
    }
    if (id <= 0) return Reply.notFound("user not found: " + id);
    return Reply.json(200, user(id));
  }
}
