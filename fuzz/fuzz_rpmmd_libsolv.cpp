// rpm-md primary.xml and updateinfo.xml through libsolv's loaders as the resolver adds them; the
// first input byte picks which (even: primary, odd: updateinfo).
#include <cstdint>
#include <cstdio>

// libsolv's Solvable has a member named `requires`, a keyword since C++20 (as in harness/repo/resolver.cpp).
#define requires solv_requires
extern "C" {
#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_rpmmd.h>
#include <solv/repo_updateinfoxml.h>
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Pool* pool = pool_create();
  pool_setdisttype(pool, DISTTYPE_RPM);
  pool_setarch(pool, "x86_64");
  Repo* repo = repo_create(pool, "fuzz");
  if (std::FILE* fp = fmemopen(const_cast<uint8_t*>(data + 1), size - 1, "r")) {
    if (data[0] % 2 == 0)
      (void)repo_add_rpmmd(repo, fp, nullptr, 0);
    else
      (void)repo_add_updateinfoxml(repo, fp, 0);
    std::fclose(fp);
  }
  pool_addfileprovides(pool);
  pool_createwhatprovides(pool);
  pool_free(pool);
  return 0;
}
