// Debian Packages indexes, through libsolv's loader into a pool as the resolver adds them
// (repo_add_debpackages), then the provides index the solver builds.
#include <cstdint>
#include <cstdio>

// libsolv's Solvable has a member named `requires`, a keyword since C++20 (as in harness/repo/resolver.cpp).
#define requires solv_requires
extern "C" {
#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_deb.h>
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Pool* pool = pool_create();
  pool_setdisttype(pool, DISTTYPE_DEB);
  pool_setarch(pool, "amd64");
  Repo* repo = repo_create(pool, "fuzz");
  if (std::FILE* fp = fmemopen(const_cast<uint8_t*>(data), size, "r")) {
    (void)repo_add_debpackages(repo, fp, 0);
    std::fclose(fp);
  }
  pool_addfileprovides(pool);
  pool_createwhatprovides(pool);
  pool_free(pool);
  return 0;
}
