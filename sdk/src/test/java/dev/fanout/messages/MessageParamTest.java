package dev.fanout.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MessageParamTest {

  @Test
  void consecutiveTurnsOfOneRoleAreJoinedInOrderAndAlternatingOnesKept() {
    List<MessageParam> joined = MessageParam.joinConsecutive(List.of(
        MessageParam.user("a"),
        MessageParam.assistant("b"),
        MessageParam.user(List.of(ContentBlock.toolResult("t1", "r1"))),
        MessageParam.user(List.of(ContentBlock.toolResult("t2", "r2"))),
        MessageParam.user("c"),
        MessageParam.assistant("d")));

    assertThat(joined).extracting(MessageParam::role).containsExactly(
        MessageParam.Role.USER, MessageParam.Role.ASSISTANT, MessageParam.Role.USER, MessageParam.Role.ASSISTANT);
    assertThat(joined.get(2).content()).containsExactly(
        ContentBlock.toolResult("t1", "r1"), ContentBlock.toolResult("t2", "r2"), ContentBlock.text("c"));
  }

  @Test
  void noTurnsJoinToNone() {
    assertThat(MessageParam.joinConsecutive(List.of())).isEmpty();
  }

  @Test
  void aNullTurnIsNamed() {
    assertThatThrownBy(() -> MessageParam.joinConsecutive(Arrays.asList(MessageParam.user("a"), null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("turns[1] == null");
  }
}
