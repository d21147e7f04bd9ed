/** The users API: {@link dev.fanout.users.UserService} and the {@link dev.fanout.users.User} it returns. */
package dev.fanout.users;
