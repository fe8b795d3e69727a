#include "tests/ctl/wamsctl_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "tests/testing/temp_dir.h"

namespace wams::testing {
namespace {

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

std::string WamsctlBinary() { return WAMSCTL_BINARY; }

CliResult RunWamsctl(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  CliResult result;
  TempDir dir;
  const std::string err_file = dir.File("stderr");
  std::vector<std::string> argv = {WamsctlBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> envp = env;
  // Sanitizer builds: wamsctl gets the test's sanitizer options (suppressions,
  // report files), or its reports would not mean what the test's do.
  for (const char* name : {"TSAN_OPTIONS", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name); value != nullptr) {
      envp.push_back(std::string(name) + "=" + value);
    }
  }
  std::vector<char*> argv_pointers = Pointers(argv);
  std::vector<char*> env_pointers = Pointers(envp);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  int error = posix_spawn(&pid, argv_pointers[0], &actions, nullptr, argv_pointers.data(),
                          env_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (error != 0) {
    close(pipe_fds[0]);
    return result;
  }
  char chunk[4096];
  ssize_t got = 0;
  while ((got = read(pipe_fds[0], chunk, sizeof(chunk))) > 0) {
    result.out.append(chunk, static_cast<size_t>(got));
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.err = ReadFile(err_file);
  return result;
}

}  // namespace wams::testing
