#include "ocpagg/koku/settings.h"

namespace ocpagg {

std::vector<CostCategoryPattern> DefaultCostCategoryPatterns() {
  return {{"openshift-%", 1}, {"kube-%", 1}, {"Platform unallocated", 1}, {"openshift", 1}};
}

}  // namespace ocpagg
