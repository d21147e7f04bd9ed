/** A user's named module: Fanout by the module names the README gives. */
module com.example.modular {
  requires dev.fanout.sdk;
  requires dev.fanout.langchain4j;
  requires langchain4j.core;

  exports com.example.modular;
}
