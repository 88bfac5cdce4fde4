"""Published DfE "Children's social work workforce" statistics: releases, figures, revisions."""
