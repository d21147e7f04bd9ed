package dev.fanout.bench.tls;

import dev.fanout.bench.Processes;
import dev.fanout.mock.MockTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx as an independent TLS + HTTP/2 front before a cleartext backend: a generated configuration in a
 * directory of its own, nginx run as a child process ({@code -p DIR}, {@code daemon off}, one worker), a TLS
 * listener with {@code http2} and {@code http2_max_concurrent_streams} on an ephemeral 127.0.0.1 port, {@code
 * proxy_pass} to the backend over HTTP/1.1 with an upstream keep-alive pool, and {@code stub_status} on a second
 * port for the connections nginx accepted. Debian's {@code nginx-light} has every module this needs.
 */
final class NginxFront implements AutoCloseable {
  static final String DEFAULT_NGINX = "/usr/sbin/nginx";
  private static final Pattern ACCEPTS = Pattern.compile("server accepts handled requests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)");

  private final String nginx;
  private final Path dir;
  private final Process process;
  private final int tlsPort;
  private final int statusPort;

  private NginxFront(String nginx, Path dir, Process process, int tlsPort, int statusPort) {
    this.nginx = nginx;
    this.dir = dir;
    this.process = process;
    this.tlsPort = tlsPort;
    this.statusPort = statusPort;
  }

  /** Null if {@code nginx} cannot be run, else "nginx version: nginx/X". */
  static String version(String nginx) {
    return Processes.outputIfOk(nginx, "-v");
  }

  /**
   * Starts nginx before the backend at {@code upstreamPort}, serving {@code tls}'s certificate, announcing
   * {@code streams} streams per HTTP/2 connection; {@code keepaliveRequests} above 0 makes nginx send GOAWAY
   * on a connection after that many requests (its {@code keepalive_requests}; 1,000 by default). Its one
   * worker takes {@code calls} calls at once: a client connection and an upstream one each (see
   * {@link #workerConnections}).
   */
  static NginxFront start(String nginx, Path dir, int upstreamPort, MockTls tls, int streams, int keepaliveRequests,
      int calls) throws IOException, InterruptedException {
    Files.createDirectories(dir.resolve("tmp"));
    Files.writeString(dir.resolve("cert.pem"), tls.serverCertificate().certificatePem());
    Files.writeString(dir.resolve("key.pem"), tls.serverCertificate().privateKeyPkcs8Pem());
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) { // a port picked free can be taken before nginx binds it
      int tlsPort = freePort();
      int statusPort = freePort();
      Files.writeString(dir.resolve("nginx.conf"), config(dir, upstreamPort, tlsPort, statusPort, streams,
          keepaliveRequests, workerConnections(calls)));
      Process p = new ProcessBuilder(nginx, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
          "-e", dir.resolve("error.log").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
      NginxFront front = new NginxFront(nginx, dir, p, tlsPort, statusPort);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (p.isAlive() && System.nanoTime() < deadline) {
        try {
          front.accepted();
          return front;
        } catch (IOException e) {
          last = e;
          Thread.sleep(50);
        }
      }
      front.close();
      last = new IOException("nginx did not start; " + dir.resolve("error.log") + ":\n"
          + (Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : "(none)"), last);
    }
    throw last;
  }

  /**
   * The worker's connection limit for {@code calls} calls at once: an HTTP/1.1 client opens a connection per
   * call and nginx one to the backend per call it proxies, so 2 per call and room to spare; at least 8,192.
   */
  static int workerConnections(int calls) {
    return Math.max(8192, 2 * calls + 1024);
  }

  private static String config(Path dir, int upstreamPort, int tlsPort, int statusPort, int streams,
      int keepaliveRequests, int workerConnections) {
    String t = dir.resolve("tmp").toString();
    return String.join("\n", List.of(
        "daemon off;",
        "worker_processes 1;",
        // each connection is a descriptor, and nginx needs a few of its own (logs, listeners)
        "worker_rlimit_nofile " + (workerConnections + 256) + ";",
        "pid " + dir.resolve("nginx.pid") + ";",
        "error_log " + dir.resolve("error.log") + " warn;",
        "events { worker_connections " + workerConnections + "; }",
        "http {",
        "  access_log off;",
        "  client_body_temp_path " + t + "; proxy_temp_path " + t + "; fastcgi_temp_path " + t + ";",
        "  uwsgi_temp_path " + t + "; scgi_temp_path " + t + ";",
        "  upstream backend { server 127.0.0.1:" + upstreamPort + "; keepalive 2048; }",
        "  server {",
        "    listen 127.0.0.1:" + tlsPort + " ssl http2;",
        "    ssl_certificate " + dir.resolve("cert.pem") + ";",
        "    ssl_certificate_key " + dir.resolve("key.pem") + ";",
        "    http2_max_concurrent_streams " + streams + ";",
        keepaliveRequests > 0 ? "    keepalive_requests " + keepaliveRequests + ";" : "",
        "    location / {",
        "      proxy_pass http://backend;",
        "      proxy_http_version 1.1;",
        "      proxy_set_header Connection \"\";",
        "    }",
        "  }",
        "  server {",
        "    listen 127.0.0.1:" + statusPort + ";",
        "    location = /status { stub_status; }",
        "  }",
        "}",
        ""));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  String url() {
    return "https://127.0.0.1:" + tlsPort;
  }

  /**
   * Connections nginx has accepted since it started, not counting the status requests' own: each read opens
   * one connection, counted before nginx answers.
   */
  long accepted() throws IOException {
    return statusAccepts() - ++statusReads;
  }

  private long statusReads;

  private long statusAccepts() throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", statusPort), 1000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write("GET /status HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String body = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      Matcher m = ACCEPTS.matcher(body);
      if (!m.find()) throw new IOException("no accepts count in nginx's stub_status: " + body);
      return Long.parseLong(m.group(1));
    }
  }

  /** {@code nginx -s reload}: new workers take the listeners, the old ones send GOAWAY and finish their streams. */
  void reload() throws IOException, InterruptedException {
    Process p = new ProcessBuilder(nginx, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
        "-e", dir.resolve("error.log").toString(), "-s", "reload").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) throw new IOException("nginx -s reload failed: " + out);
  }

  @Override
  public void close() {
    Processes.stop(process, Processes.STOP_GRACE); // SIGTERM: nginx's fast shutdown
  }
}
