// threads.cpp: how many threads OpenCV itself may use (see imaging.h).
#include <opencv2/core.hpp>

extern "C" {
#include "imaging/imaging.h"
}

extern "C" void img_set_threads(int n)
{
	try {
		cv::setNumThreads(n);
	} catch (...) {
		// a failure only means OpenCV keeps its default pool
	}
}
